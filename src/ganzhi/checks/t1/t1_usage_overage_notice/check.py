"""超套提醒含单价与限速条件: do overage notices state the out-of-package unit price?

The SMS converter (`ganzhi usage import-sms --evidence FILE`) already read every message's threshold and
unit price from its text; this check compares the share of overage notices (threshold >= 100 %) that
state no unit price with `max_unpriced_share`. Speed terms are reported, not judged: whether a plan
throttles at all is not in the log.
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.usage_audit import UsageOverageNotices


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome for the log: MANUAL without overage notices, else FAIL above the maximum unpriced share."""
    log = evidence.one(UsageOverageNotices)
    max_share = params.number("max_unpriced_share")
    if log.notices == 0:
        return [Outcome.manual(
            f"短信日志{log.messages}条中没有超套提醒（流量已用完/达到100%），无法判定是否告知套外单价。",
            f"None of the {log.messages} logged messages is an overage notice; the price statement cannot be judged.",
            scope="overall", messages=log.messages, reminders=log.reminders, notices=0,
        )]  # fmt: skip
    unpriced = log.notices - log.with_unit_price
    share = unpriced / log.notices
    facts = {
        "scope": "overall", "messages": log.messages, "notices": log.notices, "with_unit_price": log.with_unit_price,
        "without_unit_price": unpriced, "unpriced_share": round(share, 6), "max_unpriced_share": max_share,
        "with_speed_terms": log.with_speed_terms,
        "examples": [f"{e.file}:{e.row}: {e.text}" for e in log.examples_without_price[:5]],
    }  # fmt: skip
    counts_zh = f"超套提醒{log.notices}条，写明套外单价{log.with_unit_price}条、未写明{unpriced}条（{share:.2%}）"
    counts_en = (
        f"{log.notices} overage notices, {log.with_unit_price} state the unit price, {unpriced} do not ({share:.2%})"
    )
    if share > max_share:
        first = log.examples_without_price[0] if log.examples_without_price else None
        where_zh = f"；例：{first.file}第{first.row}行“{first.text}”" if first else ""
        where_en = f"; e.g. {first.file} row {first.row}: {first.text!r}" if first else ""
        return [Outcome.failed(
            f"{counts_zh}，超过上限{max_share:.2%}{where_zh}。",
            f"{counts_en}, above the maximum {max_share:.2%}{where_en}.",
            **facts,
        )]  # fmt: skip
    return [Outcome.passed(f"{counts_zh}，未超过上限{max_share:.2%}。",
                           f"{counts_en}, within the maximum {max_share:.2%}.", **facts)]  # fmt: skip
