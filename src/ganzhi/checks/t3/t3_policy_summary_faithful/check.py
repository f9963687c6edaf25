"""T3.summary.faithful: every claim of the summary is supported by the full policy, none contradicts it."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.policy import PolicyAnalysis
from ganzhi.rules.policy.consistency import Finding, summary_and_policy, summary_faithfulness

_ZH = {
    "UNSUPPORTED": "摘要称处理“{item}”，完整政策中无对应表述",
    "CONTRADICTED": "摘要与完整政策关于“{item}”的表述相互矛盾",
    "UNSUPPORTED_RECIPIENT": "摘要提及的第三方“{item}”未出现在完整政策中",
    "OMITS_SENSITIVE": "完整政策处理敏感个人信息“{item}”，摘要未提及",
}
_EN = {
    "UNSUPPORTED": "The summary states processing of {item!r}; the full policy does not",
    "CONTRADICTED": "The summary and the full policy contradict each other on {item!r}",
    "UNSUPPORTED_RECIPIENT": "Third party {item!r} named in the summary is absent from the full policy",
    "OMITS_SENSITIVE": "The full policy processes sensitive PI {item!r}; the summary omits it",
}


def _outcome(finding: Finding) -> Outcome:
    # an omitted sensitive category rests on lexical evidence only: a human confirms it (WARN)
    make = Outcome.warned if finding.problem == "OMITS_SENSITIVE" else Outcome.failed
    return make(
        _ZH[finding.problem].format(item=finding.item),
        _EN[finding.problem].format(item=finding.item),
        reason=finding.problem,
        item=finding.item,
        summary_sentence=finding.quote,
        policy_sentence=finding.other_quote,
    )


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """FAIL per unsupported or contradicted claim, WARN per omitted sensitive category; else PASS."""
    pair = summary_and_policy(evidence.all(PolicyAnalysis))
    if pair is None:
        return [Outcome.not_applicable("无摘要或无完整政策可比对", "No summary and full policy to compare")]
    summary, policy = pair
    findings = summary_faithfulness(summary, policy, require_sensitive=params.get("require_sensitive_pi") is True)
    if findings:
        return [_outcome(f) for f in findings]
    return [
        Outcome.passed(
            f"摘要中的{len(summary.stated | summary.denied)}类个人信息表述均与完整政策一致",
            f"All {len(summary.stated | summary.denied)} PI claims of the summary are backed by the full policy",
            reason="FAITHFUL",
            item="*",
        )
    ]
