"""应在宽带服务合同中明确接入上行、下行理论速率: both numbers are stated in the contract."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.broadband_contract import BroadbandContract


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome per contract: FAIL naming the direction(s) whose theoretical rate is not stated."""
    outcomes: list[Outcome] = []
    for contract in evidence.all(BroadbandContract):
        missing = [zh for zh, value in (("上行", contract.up_mbps), ("下行", contract.down_mbps)) if value is None]
        facts = {"contract_id": contract.contract_id, "down_mbps": contract.down_mbps, "up_mbps": contract.up_mbps,
                 "missing": missing, "row": contract.row}  # fmt: skip
        if missing:
            outcomes.append(Outcome.failed(
                f"宽带合同{contract.contract_id}未明确{'、'.join(missing)}理论速率。",
                f"Contract {contract.contract_id} does not state the theoretical {' and '.join(missing)} rate.",
                **facts,
            ))  # fmt: skip
        else:
            outcomes.append(Outcome.passed(
                f"宽带合同{contract.contract_id}明确下行{contract.down_mbps:g}Mbps、上行{contract.up_mbps:g}Mbps。",
                f"Contract {contract.contract_id} states {contract.down_mbps:g}/{contract.up_mbps:g} Mbit/s.",
                **facts,
            ))  # fmt: skip
    return outcomes
