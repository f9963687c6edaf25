"""The operator's eligibility answer must match the rules (禁止无正当理由拒绝、阻止、拖延).

An ineligible user must be told every reason at once; an eligible user must not be refused; a reason
the facts do not support must not be given. One outcome per kind of violation (`violation` is the
fingerprint field), so each becomes its own issue. Telling an ineligible user they are eligible does
not harm the user's right to port but misinforms them: a WARN for a person to look at.
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t9.eligibility import EligibilityParams, reasons_for
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.portability import PortabilityCase, ReasonCode


def _codes(reasons: list[ReasonCode]) -> list[str]:
    return [r.value for r in reasons]


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """Compare `operator_decision` with the reasons the rules give; NOT_APPLICABLE when it is absent.

    For an answer read from text: MANUAL when it says neither eligible nor not, and MANUAL instead of an
    `incomplete_reasons` FAIL when it has reason clauses ganzhi could not map (the missing reason may be
    among them). A refusal of an eligible user fails whatever words it uses."""
    case = evidence.one(PortabilityCase)
    told = case.operator_decision
    if told is None:
        return [
            Outcome.not_applicable(
                "未提供运营商的资格答复，无需核对", "no operator decision was recorded, nothing to compare"
            )
        ]
    found = reasons_for(case, EligibilityParams.from_params(params))
    facts: dict[str, object] = {"expected_reasons": _codes(found), "operator_reasons": _codes(told.reasons)}
    if told.text is not None:
        facts["operator_answer"] = told.text
    if told.unread:
        facts["unread_reasons"] = told.unread
    if told.eligible is None:
        return [
            Outcome.manual(
                f"运营商答复未说明能否携转，无法判断：{told.text}；需要明确的资格答复",
                "the operator's answer says neither eligible nor not; cannot tell; needs an explicit answer",
                violation="undecided_answer",
                needs="the operator's explicit eligibility answer",
                **facts,
            )
        ]
    outcomes: list[Outcome] = []
    if not told.eligible and not found:
        outcomes.append(
            Outcome.failed(
                "用户符合携号转网条件，运营商却拒绝办理",
                "the operator refused a user who is eligible to port",
                violation="refused_eligible",
                **facts,
            )
        )
    missing = [r for r in found if r not in told.reasons]
    if not told.eligible and found and missing and told.unread:
        outcomes.append(
            Outcome.manual(
                "运营商答复中有无法识别的原因（"
                + "；".join(told.unread[:3])
                + "），无法判断是否已告知："
                + "、".join(_codes(missing))
                + "；需人工阅读答复",
                "the answer gives reasons ganzhi cannot map; cannot tell whether it states "
                + ", ".join(_codes(missing))
                + "; needs a person to read it",
                violation="incomplete_reasons",
                needs="a person reading the operator's answer",
                missing_reasons=_codes(missing),
                **facts,
            )
        )
    elif not told.eligible and found and missing:
        outcomes.append(
            Outcome.failed(
                "运营商未一次性告知全部不符合条件的原因：缺少 " + "、".join(_codes(missing)),
                "the operator did not give every reason at once; missing " + ", ".join(_codes(missing)),
                violation="incomplete_reasons",
                missing_reasons=_codes(missing),
                **facts,
            )
        )
    unfounded = [r for r in told.reasons if r not in found]
    if unfounded:
        outcomes.append(
            Outcome.failed(
                "运营商给出的原因与事实不符：" + "、".join(_codes(unfounded)),
                "the operator gave reasons the facts do not support: " + ", ".join(_codes(unfounded)),
                violation="unfounded_reason",
                unfounded_reasons=_codes(unfounded),
                **facts,
            )
        )
    if told.eligible and found:
        outcomes.append(
            Outcome.warned(
                "运营商告知可以携转，但用户不符合条件：" + "、".join(_codes(found)),
                "the operator said eligible, but the user is not: " + ", ".join(_codes(found)),
                violation="accepted_ineligible",
                **facts,
            )
        )
    if outcomes:
        return outcomes
    return [Outcome.passed("运营商的资格答复与规则一致", "the operator's answer matches the rules", **facts)]
