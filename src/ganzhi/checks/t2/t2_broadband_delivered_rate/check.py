"""T2 接入速率达标: the mean measured rate over enough runs reaches `min_share` of the contracted rate."""

from __future__ import annotations

import statistics

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.speedtest import SpeedtestResult

_DIRECTIONS = (
    ("download", "contract_down_mbps", "download_mbps", "下行", "downlink"),
    ("upload", "contract_up_mbps", "upload_mbps", "上行", "uplink"),
)


def _direction(runs: list[SpeedtestResult], spec: tuple[str, str, str, str, str], params: Params) -> Outcome | None:
    direction, contract_field, value_field, zh, en = spec
    contracts = sorted({c for r in runs if (c := getattr(r, contract_field)) is not None})
    if not contracts:
        return None
    if len(contracts) > 1:
        return Outcome.manual(
            f"{zh}签约速率在各次测速中不一致（{contracts}），无法判定。",
            f"The contracted {en} rate differs between runs ({contracts}); cannot decide.",
            direction=direction,
        )
    contract = contracts[0]
    values = [v for r in runs if (v := getattr(r, value_field)) is not None]
    min_runs = int(params.number("min_runs"))
    min_share = params.number("min_share")
    if len(values) < min_runs:
        return Outcome.manual(
            f"{zh}有效测速仅{len(values)}次，少于要求的{min_runs}次，请补测。",
            f"Only {len(values)} valid {en} runs; {min_runs} are needed.",
            direction=direction,
            runs=len(values),
            min_runs=min_runs,
        )
    mean = statistics.fmean(values)
    share = mean / contract
    data = {
        "direction": direction,
        "mean_mbps": round(mean, 3),
        "contract_mbps": contract,
        "share": round(share, 4),
        "min_share": min_share,
        "runs": len(values),
    }
    if share >= min_share:
        return Outcome.passed(
            f"{zh}实测均值{mean:.1f}Mbit/s，为签约{contract:g}Mbit/s的{share:.0%}（要求≥{min_share:.0%}）。",
            f"Mean {en} {mean:.1f} Mbit/s is {share:.0%} of the contracted {contract:g} Mbit/s (≥{min_share:.0%}).",
            **data,
        )
    return Outcome.failed(
        f"{zh}实测均值{mean:.1f}Mbit/s，仅为签约{contract:g}Mbit/s的{share:.0%}，低于{min_share:.0%}。",
        f"Mean {en} {mean:.1f} Mbit/s is only {share:.0%} of the contracted {contract:g} Mbit/s (<{min_share:.0%}).",
        **data,
    )


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome per direction whose contracted rate is known; MANUAL when no contract rate is known."""
    runs = evidence.all(SpeedtestResult)
    outcomes = [o for spec in _DIRECTIONS if (o := _direction(runs, spec, params)) is not None]
    if not outcomes:
        return [
            Outcome.manual(
                "测速记录未给出签约速率，无法判定是否达标。",
                "The speed-test runs carry no contracted rate; cannot decide.",
                direction="download",
            )
        ]
    return outcomes
