"""Plan names read by token (network generation, broadband rate, data volume) and channel checks that answer
MANUAL when no channel listing was imported."""

from __future__ import annotations

from ganzhi.checks.t1.tariff_common import name_tokens
from ganzhi.engine.runner import evaluate
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.status import Status
from ganzhi.evidence.tariff import SUBJECT_TYPE, Services, TariffCatalogue, TariffPlan
from ganzhi.findings.models import Result


def _run(check: str, *plans: TariffPlan) -> list[Result]:
    subject = Subject(type=SUBJECT_TYPE, id="t")
    run = evaluate([Evidence.of(TariffCatalogue(plans=list(plans)), subject, source="t")], check_ids=[check])
    assert not run.errors
    return run.results


def _plan(name: str, **services: object) -> TariffPlan:
    return TariffPlan(plan_id="P", name=name, row="r", monthly_fee=129.0, services=Services.model_validate(services))


def test_tokens_tell_generation_broadband_and_data_apart() -> None:
    kinds = {t.text: (t.kind, t.value, t.certain) for t in name_tokens("5G融合套餐（1000M光宽带+30GB）")}
    assert kinds == {"5G": ("generation", 5.0, True), "1000M": ("broadband", 1000.0, True),
                     "30GB": ("data", 30.0, True)}  # fmt: skip
    assert [(t.kind, t.value) for t in name_tokens("千兆宽带融合套餐")] == [("broadband", 1000.0)]
    assert [(t.kind, t.certain) for t in name_tokens("5G流量包")] == [("data", False)]


def _statuses(results: list[Result]) -> set[Status]:
    return {r.status for r in results}


def test_generation_is_not_a_data_claim_and_ambiguity_is_manual() -> None:
    check = "t1_tariff_misleading_name"
    assert _statuses(_run(check, _plan("5G畅享套餐129元档", general_data_gb=30.0))) == {Status.PASS}
    assert _statuses(_run(check, _plan("大王卡40GB版129元", general_data_gb=30.0))) == {Status.FAIL}
    doubt = _run(check, _plan("5G流量王129元", general_data_gb=30.0))
    assert _statuses(doubt) == {Status.MANUAL}
    assert doubt[0].data["needs"]
    assert _statuses(_run(check, _plan("融合套餐129元（300M宽带）", broadband_mbps=1000.0))) == {Status.FAIL}


def test_no_channel_listing_is_manual_not_fail() -> None:
    plan = _plan("5G畅享套餐129元档", general_data_gb=30.0)
    for check in ("t1_tariff_channel_entry", "t1_tariff_elderly_entry"):
        results = _run(check, plan)
        assert _statuses(results) == {Status.MANUAL}
        assert results[0].data["needs"]


def test_blank_offline_date_of_an_on_sale_plan_is_not_missing() -> None:
    names = ("方案编号", "资费名称", "资费类型", "资费标准", "对应服务", "适用范围", "适用地区", "销售渠道", "上线日期",
             "有效期限", "在网要求", "退订方式", "违约责任", "超出资费说明")  # fmt: skip
    fields = dict.fromkeys(names, "x")
    plan = TariffPlan(plan_id="P", name="套餐", row="r", fields=fields)
    assert [r.status for r in _run("t1_tariff_publication_fields", plan)] == [Status.PASS]
