"""人工客服存在且能接通: dial tests (and the IVR tree, when given) show a human agent, reached in at least
`min_reach_share` of the attempts (verdict only after `min_attempts` attempts)."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.hotline import DialTests, IvrAnalysis


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """Two outcomes: `exists` (a human path at all) and `reachable` (share of attempts reaching one)."""
    tests = evidence.one(DialTests)
    ivr = evidence.maybe(IvrAnalysis)
    min_share = params.number("min_reach_share")
    min_attempts = int(params.number("min_attempts"))
    min_age = params.number("min_age")
    attempts = [a for a in tests.attempts if a.caller_age is None or a.caller_age < min_age]
    reached = [a for a in attempts if a.outcome == "human"]
    no_option = [a for a in attempts if a.outcome in {"no_human_option", "ivr_loop"}]
    outcomes: list[Outcome] = []
    ivr_says_no = ivr is not None and not ivr.human_reachable
    if reached:
        outcomes.append(
            Outcome.passed(
                f"拨测{len(reached)}次接通人工客服", f"a human answered in {len(reached)} attempts", aspect="exists"
            )
        )
    elif ivr_says_no or (attempts and len(no_option) == len(attempts)):
        why = "语音菜单中没有转人工节点" if ivr_says_no else f"{len(no_option)}次拨测均找不到人工选项"
        outcomes.append(
            Outcome.failed(
                f"未提供人工客服：{why}",
                "no human agent is offered",
                aspect="exists",
                ivr_human_reachable=None if ivr is None else ivr.human_reachable,
            )
        )
    else:
        outcomes.append(
            Outcome.manual(
                "尚无拨测接通人工，无法判断是否提供人工客服",
                "no attempt reached a human yet; cannot tell whether one exists",
                aspect="exists",
            )
        )
    facts = {"aspect": "reachable", "attempts": len(attempts), "reached": len(reached), "min_reach_share": min_share}
    if len(attempts) < min_attempts:
        outcomes.append(
            Outcome.manual(
                f"拨测仅{len(attempts)}次，少于{min_attempts}次，暂不判定接通率",
                f"only {len(attempts)} attempts, fewer than {min_attempts}",
                **facts,
            )
        )
        return outcomes
    share = len(reached) / len(attempts)
    facts["share"] = round(share, 4)
    if share >= min_share:
        outcomes.append(
            Outcome.passed(
                f"人工接通率{share:.0%}（{len(reached)}/{len(attempts)}），不低于{min_share:.0%}",
                f"human reach rate {share:.0%} meets {min_share:.0%}",
                **facts,
            )
        )
    else:
        outcomes.append(
            Outcome.failed(
                f"人工客服无法接通：接通率{share:.0%}（{len(reached)}/{len(attempts)}），低于{min_share:.0%}",
                f"human reach rate {share:.0%} below {min_share:.0%}",
                **facts,
            )
        )
    return outcomes
