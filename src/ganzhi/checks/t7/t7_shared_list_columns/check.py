"""T7.list.columns: the sharing list has type, purpose, scene and sharing method; method values are known."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t6.columns import column_outcomes
from ganzhi.collect.lists.schema import sharing_method
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.pi_lists import PiList


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """Column outcomes, plus a WARN for rows whose 共享方式 is none of the usual values."""
    out = column_outcomes(evidence, "shared", params.strings("required_columns"), [])
    methods = params.strings("sharing_methods")
    for parsed in evidence.all(PiList):
        if parsed.kind != "shared":
            continue
        odd = [
            (r.row, r.cells["method"])
            for r in parsed.rows
            if r.cells.get("method")
            and not any(m in r.cells["method"] for m in methods)
            and sharing_method(r.cells["method"]) not in methods
        ]
        if odd:
            values = sorted({v for _, v in odd})
            shown = "、".join(f"“{v[:40]}”" for v in values[:5])
            rows = [r for r, _ in odd][:20]
            out.append(
                Outcome.warned(
                    f"{parsed.source}：共享方式取值不规范（{shown}，应为{'或'.join(methods)}）的行 {rows}",
                    f"{parsed.source}: rows with an unusual sharing method ({', '.join(values[:5])}; expected "
                    f"{' or '.join(methods)}) {[r for r, _ in odd][:20]}",
                    reason="ODD_METHOD",
                    rows=[r for r, _ in odd][:50],
                    values=values[:10],
                    source=parsed.source,
                )
            )
    return out
