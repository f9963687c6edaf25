"""Catalog params → AuditConfig, audit summary → evidence → `t1_usage_reminder_timely` verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ganzhi.catalog.loader import default_catalog
from ganzhi.catalog.params import params_for
from ganzhi.cli.usage import app
from ganzhi.collect.evidence_file import read_evidence
from ganzhi.collect.usage.config import REQUIREMENT_ID, AuditConfig
from ganzhi.collect.usage.evidence import summary_evidence
from ganzhi.engine.runner import evaluate
from ganzhi.evidence.base import Evidence
from ganzhi.evidence.usage_audit import UsageAuditSummary

runner = CliRunner()


def test_from_params_reads_catalog_defaults_and_overrides() -> None:
    catalog = default_catalog()
    cfg = AuditConfig.from_params(params_for(catalog, [REQUIREMENT_ID]), threads=1)
    assert (cfg.thresholds, cfg.latency_s, cfg.early_tolerance_s, cfg.attribution_grace_s, cfg.threads) == (
        (0.8, 1.0), 3600.0, 60.0, 86400.0, 1)  # fmt: skip
    assert cfg.describe()["latency_s"] == {"value": 3600.0, "label": "configurable default"}
    overridden = AuditConfig.from_params(
        params_for(catalog, [REQUIREMENT_ID], {REQUIREMENT_ID: {"latency_s": 600, "reminder_thresholds": [0.5]}})
    )
    assert (overridden.thresholds, overridden.latency_s) == ((0.5,), 600.0)
    described = overridden.describe()
    assert described["latency_s"] == {"value": 600.0, "label": "campaign override"}
    assert described["early_tolerance_s"] == {"value": 60.0, "label": "configurable default"}


def _audit(tmp_path: Path, *extra: str) -> tuple[dict[str, object], list[Evidence]]:
    data = tmp_path / "data"
    if not data.exists():
        gen = runner.invoke(app, ["generate", "--subscribers", "300", "--events", "9000", "--violation-rate", "0.3",
                                  "--seed", "5", "--output", str(data)])  # fmt: skip
        assert gen.exit_code == 0, gen.output
    evidence_path = tmp_path / "ev" / "usage.jsonl"
    result = runner.invoke(app, [
        "audit", "--plans", str(data / "plans.parquet"), "--events", str(data / "events.parquet"),
        "--reminders", str(data / "reminders.parquet"), "--output", str(tmp_path / "out"), "--format", "json",
        "--evidence", str(evidence_path), "--subject", "cmcc-sh-2024-01", *extra,
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    items = [e for e in read_evidence(evidence_path) if isinstance(e, Evidence)]
    return json.loads(result.stdout), items


def test_audit_evidence_feeds_the_check(tmp_path: Path) -> None:
    summary, items = _audit(tmp_path)
    assert len(items) == 1 and items[0].subject.key == "usage_reminder_audit:cmcc-sh-2024-01"
    payload = items[0].payload(UsageAuditSummary)
    by_status = summary["by_status"]
    assert isinstance(by_status, dict)
    assert sum(g.late for g in payload.groups) == by_status["late"]
    assert sum(g.missing for g in payload.groups) == by_status["missing"]
    assert sum(g.spurious for g in payload.groups) == by_status["spurious"]
    assert payload.cycles == ["2024-01", "2024-02"] and payload.latency_s == 3600.0

    run = evaluate(items, check_ids=["t1_usage_reminder_timely"])
    overall = [r for r in run.results if r.data.get("scope") == "overall"]
    assert len(overall) == 1
    share = (by_status["late"] + by_status["missing"]) / sum(by_status[s] for s in ("on_time", "late", "missing"))
    assert overall[0].data["violation_share"] == pytest.approx(share, abs=1e-6)
    assert overall[0].status.value == "FAIL"  # 30 % planted violations > 5 %
    assert overall[0].params["max_violation_share"]["label"] == "configurable default"

    relaxed = evaluate(items, check_ids=["t1_usage_reminder_timely"],
                       overrides={REQUIREMENT_ID: {"max_violation_share": 0.5}})  # fmt: skip
    assert {r.status.value for r in relaxed.results} == {"PASS"}


def test_campaign_file_and_explicit_options_reach_the_audit(tmp_path: Path) -> None:
    campaign = tmp_path / "campaign.yaml"
    campaign.write_text("params:\n  T1.usage-reminder.timely:\n    latency_s: {value: 7200, unit: s}\n", "utf-8")
    summary, items = _audit(tmp_path, "--campaign", str(campaign))
    params = summary["params"]
    assert isinstance(params, dict)
    assert params["latency_s"] == {"value": 7200.0, "label": "campaign override"}
    assert items[0].payload(UsageAuditSummary).latency_s == 7200.0
    # Judged with the catalog's 3600 s, the 7200 s audit answers another question: WARN.
    run = evaluate(items, check_ids=["t1_usage_reminder_timely"])
    warned = [r for r in run.results if r.status.value == "WARN"]
    assert len(warned) == 1 and "latency_s: audit 7200, params 3600" in warned[0].data["mismatches"]

    summary, _ = _audit(tmp_path, "--latency", "30")
    params = summary["params"]
    assert isinstance(params, dict)
    assert params["latency_s"] == {"value": 30.0, "label": "command-line override"}


def test_bad_campaign_is_a_clear_parameter_error(tmp_path: Path) -> None:
    campaign = tmp_path / "campaign.yaml"
    campaign.write_text("params:\n  T1.usage-reminder.timely:\n    latency_s: -5\n", "utf-8")
    result = runner.invoke(app, ["audit", "--plans", "p", "--events", "e", "--reminders", "r", "--output",
                                 str(tmp_path), "--campaign", str(campaign)])  # fmt: skip
    assert result.exit_code == 2
    assert "T1.usage-reminder.timely.latency_s" in result.output


def test_summary_without_crossings_is_manual() -> None:
    cfg = AuditConfig()
    group = {"plan_id": "P1", "province": "上海", "on_time": 0, "late": 0, "missing": 0, "spurious": 4, "repeat": 0}
    empty = {"by_plan": [{**group, "latency_p95_s": None}], "totals": {"events_counted": 10}, "inputs": {}}
    item = summary_evidence(empty, cfg, "x", source="test")
    run = evaluate([item], check_ids=["t1_usage_reminder_timely"])
    assert [(r.status.value, r.data["spurious"]) for r in run.results] == [("MANUAL", 4)]
