"""Free-text operator answers to 携号转网 queries, read into reason codes (meaning-level, negation-aware)."""

from __future__ import annotations

import io
import json

from ganzhi.collect.portability.answers import read_answer
from ganzhi.collect.portability.cases import CaseLine, PortabilityCollector
from ganzhi.evidence.portability import ReasonCode

R = ReasonCode


def test_reasons_in_operator_words() -> None:
    read = read_answer("原因：1、在网时长不足120天；2、号码有未结清的话费。")
    assert (read.eligible, read.reasons, read.unread) == (False, [R.UNPAID_FEES, R.TOO_SOON], [])
    assert read_answer("您有未到期的营销活动，暂不能办理").reasons == [R.CONTRACT_LOCK]
    assert read_answer("该号码为物联网号码，不支持携号转网。").reasons == [R.NON_PORTABLE_RANGE]


def test_negated_and_cleared_conditions_are_not_reasons() -> None:
    read = read_answer("您的号码已实名，状态正常，无欠费，无合约限制，满足携号转网条件。")
    assert (read.eligible, read.reasons) == (True, [])
    read = read_answer("经查询，您的号码目前没有欠费，但是处于合约期内，暂不能办理携号转网。")
    assert read.reasons == [R.CONTRACT_LOCK]
    assert read_answer("入网未满120天").reasons == [R.TOO_SOON]


def test_unmapped_reason_and_undecided_answer() -> None:
    read = read_answer("您的号码暂不满足携转条件，原因：存在其他限制，详询10086。")
    assert (read.eligible, read.reasons, read.unread) == (False, [], ["原因：存在其他限制"])
    assert read_answer("收到，我们会尽快处理。").eligible is None


def test_collector_reads_operator_answer() -> None:
    base = {
        "number": "13800000001", "real_name_registered": True, "status": "normal", "unpaid_billed_fees": 0,
        "contract_lock_until": None, "joined_on": "2020-01-01", "last_ported_on": None, "as_of": "2024-05-10",
    }  # fmt: skip
    lines = [
        {"id": "a", **base, "operator_answer": "存在欠费，请缴清后再办理"},
        {"id": "b", **base, "operator_answer": 3},
        {"id": "c", **base, "operator_answer": "x", "operator_decision": None},
    ]
    data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    items = list(PortabilityCollector(source="q.jsonl").read(io.BytesIO(data)))
    first = items[0]
    assert isinstance(first, CaseLine) and first.case.operator_decision is not None
    assert first.case.operator_decision.reasons == [R.UNPAID_FEES]
    assert first.case.operator_decision.text == "存在欠费，请缴清后再办理"
    assert [getattr(i, "field", None) for i in items[1:]] == ["operator_answer", "operator_answer"]


def test_negation_covers_a_coordinated_list_until_a_turn() -> None:
    assert read_answer("系统显示您的号码不存在欠费和合约，也已实名，可以携转。").reasons == []
    assert read_answer("您的号码无欠费，但存在合约限制，暂不能携出。").reasons == [R.CONTRACT_LOCK]
    assert read_answer("温馨提示：您的号码入网时间少于120天，暂不具备携转资格。").unread == []
