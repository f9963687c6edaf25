"""The T1 tariff checks over a catalogue imported from the real plan records, through the real runner."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ganzhi.collect.tariff.importer import import_catalogue
from ganzhi.engine.registry import default_registry
from ganzhi.engine.runner import evaluate
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.status import Status
from ganzhi.evidence.tariff import SUBJECT_TYPE, Services, TariffCatalogue, TariffPlan
from ganzhi.usecases.tariff_report import check_catalogue, tariff_check_ids

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "collect" / "tariff"))
from tariff_fixtures import write_xlsx


def _tariff_checks() -> set[str]:
    """Every registered T1 check that reads a tariff catalogue: what `ganzhi tariff check` must run."""
    specs = default_registry().select(tasks=["T1"])
    return {spec.id for spec in specs if SUBJECT_TYPE in spec.metadata.evidence_kinds}


def test_the_report_runs_every_tariff_check() -> None:
    assert len(_tariff_checks()) >= 10
    assert set(tariff_check_ids()) == _tariff_checks()


def test_every_check_runs_and_findings_are_explained(tmp_path: Path) -> None:
    evidence = import_catalogue([write_xlsx(tmp_path / "c.xlsx")]).evidence()
    run = check_catalogue([evidence])
    assert not run.errors
    assert {r.check_id for r in run.results} == _tariff_checks()
    by_check = {}
    for r in run.results:
        by_check.setdefault(r.check_id, []).append(r)
    overage = {r.data["plan_id"]: r for r in by_check["t1_tariff_overage_price"]}
    assert overage["21SH0003"].status is Status.FAIL
    assert "仍按KB计价" in overage["21SH0003"].message.zh
    assert overage["21SH0006"].data["unit"] == "daily_pack"
    assert overage["21SH0004"].status is Status.PASS
    assert "21SH0001" not in overage  # throttled, not charged
    name = {r.data["plan_id"]: r for r in by_check["t1_tariff_misleading_name"]}
    assert name["21SH0001"].status is Status.FAIL
    assert "20GB后降速至1000kbps" in name["21SH0001"].message.zh
    assert name["21SH0002"].status is Status.PASS
    single = {r.data["service"]: r.status for r in by_check["t1_tariff_single_service"]}
    assert single == {"固定语音": Status.FAIL, "移动语音": Status.FAIL, "短信息": Status.FAIL,
                      "宽带上网": Status.PASS, "移动流量": Status.PASS}  # fmt: skip
    fingerprints = [r.fingerprint for r in run.results]
    assert len(fingerprints) == len(set(fingerprints))


def test_overrides_change_the_ceiling(tmp_path: Path) -> None:
    evidence = import_catalogue([write_xlsx(tmp_path / "c.xlsx")]).evidence()
    run = evaluate([evidence], check_ids=["t1_tariff_overage_price"],
                   overrides={"T1.out-of-package-price": {"max_unit_price": 12}})  # fmt: skip
    daily = next(r for r in run.results if r.data["plan_id"] == "21SH0006")
    assert daily.status is Status.PASS
    assert daily.params["max_unit_price"]["label"] == "campaign override"


KINDS = ("套餐", "流量包", "融合", "畅聊")


def test_name_duplicates_scale_to_a_large_catalogue() -> None:
    plans = [
        TariffPlan(plan_id=f"P{i:05d}", name=f"畅享{i}元{KINDS[i % 4]}{i % 97}号", row=f"row {i}",
                   monthly_fee=float(i), services=Services(general_data_gb=float(i % 50)))
        for i in range(2000)
    ]  # fmt: skip
    catalogue = TariffCatalogue(plans=plans)
    evidence = Evidence.of(catalogue, Subject(type="tariff_catalogue", id="big"), source="generated")
    started = time.perf_counter()
    run = evaluate([evidence], check_ids=["t1_tariff_name_duplicates"])
    elapsed = time.perf_counter() - started
    assert [r.status for r in run.results] == [Status.PASS]
    assert elapsed < 20, f"{elapsed:.1f} s for 2000 plans"
