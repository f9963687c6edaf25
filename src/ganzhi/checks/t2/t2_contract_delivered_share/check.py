"""确保用户接入速率达标, per test: the share of valid wired speed tests that reach `min_share` of the
contracted rate (from the contract evidence) must reach `min_passing_share`."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.broadband_contract import BroadbandContract
from ganzhi.evidence.speedtest import SpeedtestResult

_DIRECTIONS = (("download", "down_mbps", "download_mbps", "下行"), ("upload", "up_mbps", "upload_mbps", "上行"))


def _valid_wired(run: SpeedtestResult) -> bool:
    """A run counts when it is wired (Wi-Fi limits are the user's side) and finished without errors."""
    return run.environment is not None and run.environment.connection == "wired" and not run.errors


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome per direction the contract states."""
    contract = evidence.one(BroadbandContract)
    runs = [r for r in evidence.all(SpeedtestResult) if _valid_wired(r)]
    excluded = len(evidence.all(SpeedtestResult)) - len(runs)
    min_share, min_passing, min_runs = (params.number("min_share"), params.number("min_passing_share"),
                                        int(params.number("min_runs")))  # fmt: skip
    outcomes: list[Outcome] = []
    for direction, contract_field, value_field, zh in _DIRECTIONS:
        contracted = getattr(contract, contract_field)
        if contracted is None:
            continue
        values = [v for r in runs if (v := getattr(r, value_field)) is not None]
        facts = {"direction": direction, "contract_mbps": contracted, "valid_wired_tests": len(values),
                 "excluded_tests": excluded, "min_share": min_share, "min_passing_share": min_passing}  # fmt: skip
        if len(values) < min_runs:
            outcomes.append(Outcome.manual(
                f"{zh}有效有线测速仅{len(values)}次（另有{excluded}次无线或出错被排除），少于{min_runs}次，无法判定。",
                f"Only {len(values)} valid wired {direction} tests ({excluded} excluded); {min_runs} are needed.",
                **facts,
            ))  # fmt: skip
            continue
        floor = min_share * contracted
        passing = sum(v >= floor for v in values)
        share = passing / len(values)
        facts |= {"passing_tests": passing, "passing_share": round(share, 4), "floor_mbps": round(floor, 3)}
        if share >= min_passing:
            outcomes.append(Outcome.passed(
                f"{zh}：{passing}/{len(values)}次有线测速达到签约{contracted:g}Mbps的{min_share:.0%}。",
                f"{passing}/{len(values)} wired {direction} tests reach {min_share:.0%} of {contracted:g} Mbit/s.",
                **facts,
            ))  # fmt: skip
        else:
            outcomes.append(Outcome.failed(
                f"{zh}：仅{passing}/{len(values)}次（{share:.0%}）有线测速达到签约{contracted:g}Mbps的{min_share:.0%}"
                f"（{floor:g}Mbps），低于要求的{min_passing:.0%}。",
                f"Only {passing}/{len(values)} wired {direction} tests ({share:.0%}) reach {floor:g} Mbit/s "
                f"({min_share:.0%} of the contract); {min_passing:.0%} are required.",
                **facts,
            ))  # fmt: skip
    if not outcomes:
        outcomes.append(Outcome.manual("合同未写明上下行速率，无法比较。", "The contract states no rate.",
                                       direction="none"))  # fmt: skip
    return outcomes
