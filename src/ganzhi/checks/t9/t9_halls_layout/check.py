"""营业厅应合理布局: share of counties whose centroid is farther than `max_county_distance_km` from a
port-out hall, with distance percentiles and halls per million people by province as supporting facts.

FAIL when the far share exceeds `max_far_county_share`; a province with no port-out hall at all is a
separate WARN (fingerprinted by province) so a person looks at it.
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t9.halls_common import percentile, sample
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.halls import HallLayout


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """The layout verdict, then one WARN per province without a port-out hall."""
    layout = evidence.one(HallLayout)
    max_km = params.number("max_county_distance_km")
    max_share = params.number("max_far_county_share")
    if not layout.counties:
        return [
            Outcome.manual(
                "没有可用的区县中心点，无法评估布局", "no county centroids to measure the layout", scope="national"
            )
        ]
    distances = [c.km for c in layout.counties if c.km is not None]
    far = [c for c in layout.counties if c.km is None or c.km > max_km]
    share = len(far) / len(layout.counties)
    density = {
        p.code: {"name": p.name, "halls": p.halls, "per_million": round(p.halls * 1_000_000 / p.population, 3)}
        for p in layout.provinces
    }
    facts = {
        "scope": "national",
        "counties": len(layout.counties),
        "far_counties": len(far),
        "far_share": round(share, 4),
        "max_county_distance_km": max_km,
        "percentiles_km": {f"p{q}": round(percentile(distances, q), 2) for q in (50, 90, 95, 99)} if distances else {},
        "max_km": round(max(distances), 2) if distances else None,
        "far_examples": sample([f"{c.adcode} {c.name}" for c in far]),
        "provinces": density,
        "port_out_halls": layout.port_out_halls,
    }
    outcomes = []
    if share <= max_share:
        outcomes.append(
            Outcome.passed(
                f"{len(far)}个区县（{share:.1%}）距最近携出营业厅超过{max_km:g}公里，未超过{max_share:.0%}",
                f"{len(far)} counties ({share:.1%}) are over {max_km:g} km from a port-out hall, "
                f"within {max_share:.0%}",
                **facts,
            )
        )
    else:
        outcomes.append(
            Outcome.failed(
                f"{len(far)}个区县（{share:.1%}）距最近携出营业厅超过{max_km:g}公里，超过{max_share:.0%}",
                f"{len(far)} counties ({share:.1%}) are over {max_km:g} km from a port-out hall, above {max_share:.0%}",
                **facts,
            )
        )
    for province in layout.provinces:
        if province.halls == 0:
            outcomes.append(
                Outcome.warned(
                    f"{province.name}没有可办理携出的营业厅",
                    f"province {province.code} has no port-out hall",
                    scope=province.code,
                )
            )
    return outcomes
