"""A tiny catalog and check tree written to a temp dir, so engine tests control every detail."""

from __future__ import annotations

import sys
import textwrap
import uuid
from pathlib import Path

import yaml
from pydantic import BaseModel

from ganzhi.evidence.base import evidence_kind


@evidence_kind("test_widget")
class Widget(BaseModel):
    """Evidence used only by engine tests."""

    size: float
    colour: str = "red"


@evidence_kind("test_gauge")
class Gauge(BaseModel):
    """A second test-only evidence kind, so a test can add a check for evidence no other check reads."""

    pressure: float


def write_catalog(root: Path, *, automated_checks: list[str], extra_req: dict[str, object] | None = None) -> Path:
    """A one-task catalog (T1 only) whose requirement lists `automated_checks`."""
    data = root / "catalog"
    (data / "tasks").mkdir(parents=True)
    source = {"document": "test", "label": "V"}
    (data / "catalog.yaml").write_text(
        yaml.safe_dump(
            {
                "name": {"zh": "测试"},
                "version": "t",
                "notice": source,
                "campaign_window": ["2021-11-01", "2022-03-31"],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    requirement = {
        "id": "T1.widget-size",
        "title": {"zh": "尺寸"},
        "text": {"zh": "尺寸不小于下限"},
        "sources": [source],
        "params": [
            {
                "id": "min_size",
                "value": 10,
                "unit": "dp",
                "basis": "configurable default",
                "text": {"zh": "下限"},
                "minimum": 0,
            }
        ],
        "automation": "automated" if automated_checks else "manual",
        "weight": 1,
        "checks": automated_checks,
    }
    reqs = [requirement]
    if extra_req:
        reqs.append(extra_req)
    task = {
        "id": "T1",
        "number": 1,
        "group": "五优化",
        "title": {"zh": "任务一"},
        "summary": {"zh": "摘要"},
        "deadline": "2021-12-31",
        "deadline_source": source,
        "applies_to": ["basic_telecom_operator"],
        "requirements": reqs,
    }
    (data / "tasks" / "T1.yaml").write_text(yaml.safe_dump(task, allow_unicode=True), encoding="utf-8")
    (data / "supervision.yaml").write_text(
        yaml.safe_dump(
            {
                "rectification_working_days": {
                    "id": "working_days",
                    "value": 5,
                    "unit": "working_day",
                    "basis": "configurable default",
                    "text": {"zh": "整改期限"},
                },
                "enforcement_ladder": [{"id": "interview", "title": {"zh": "约谈提醒"}}],
                "severity_weights": {"high": 3},
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    return data


CHECK_BODY = """
from __future__ import annotations
import time
from ganzhi.checks.outcome import Outcome
from tests_fake_widget import Widget  # noqa: F401 - registers the kind


def evaluate(evidence, params):
    widget = evidence.one(Widget)
    if widget.colour == "explode":
        raise RuntimeError("boom")
    if widget.colour == "slow":
        time.sleep(5)
    if widget.size >= params.number("min_size"):
        return [Outcome.passed("够大", size=widget.size)]
    return [Outcome.failed("太小", size=widget.size, colour=widget.colour)]
"""


GAUGE_CHECK_BODY = """
from __future__ import annotations
from ganzhi.checks.outcome import Outcome
from tests_fake_widget import Gauge


def evaluate(evidence, params):
    gauge = evidence.one(Gauge)
    if gauge.pressure >= params.number("min_size"):
        return [Outcome.passed("压力足够", pressure=gauge.pressure)]
    return [Outcome.failed("压力不足", pressure=gauge.pressure)]
"""


def write_check(pkg_root: Path, check_id: str = "t1_widget_size", **meta_overrides: object) -> str:
    """Write a check package under `pkg_root/<package>/t1/<check_id>/`; returns the package name."""
    package = f"fakechecks_{uuid.uuid4().hex[:8]}"
    (pkg_root / package / "t1").mkdir(parents=True)
    (pkg_root / package / "__init__.py").write_text("", encoding="utf-8")
    (pkg_root / package / "t1" / "__init__.py").write_text("", encoding="utf-8")
    add_check(pkg_root, package, check_id, CHECK_BODY, **meta_overrides)
    return package


def add_check(pkg_root: Path, package: str, check_id: str, body: str, **meta_overrides: object) -> Path:
    """Add one more check folder `<package>/t1/<check_id>/` to a package made by `write_check`."""
    folder = pkg_root / package / "t1" / check_id
    folder.mkdir()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "check.py").write_text(textwrap.dedent(body), encoding="utf-8")
    meta: dict[str, object] = {
        "id": check_id,
        "task": "T1",
        "requirements": ["T1.widget-size"],
        "severity": "high",
        "subject_types": ["widget"],
        "evidence_kinds": ["test_widget"],
        "fingerprint_fields": ["colour"],
        "title": {"zh": "部件尺寸", "en": "Widget size"},
        "remediation": {"zh": "加大尺寸"},
        "timeout_seconds": 1,
    }
    meta.update(meta_overrides)
    (folder / "metadata.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    if str(pkg_root) not in sys.path:
        sys.path.insert(0, str(pkg_root))
    return folder
