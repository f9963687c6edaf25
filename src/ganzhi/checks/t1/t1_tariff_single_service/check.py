"""涵盖基本需求的套餐，应同时提供各单项业务资费方案: for each basic service a bundle covers, an on-sale
single-service plan for it exists."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t1.tariff_common import sample
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.tariff import TariffCatalogue


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome per basic service covered by a bundle: PASS when a single-service plan offers it."""
    catalogue = evidence.one(TariffCatalogue)
    basic = params.strings("basic_services")
    plans = catalogue.on_sale_public()
    covers = {p.plan_id: [s for s in p.services.basic_services() if s in basic] for p in plans}
    bundles = {pid: services for pid, services in covers.items() if len(services) >= 2}
    singles: dict[str, list[str]] = {}
    for pid, services in covers.items():
        if len(services) == 1:
            singles.setdefault(services[0], []).append(pid)
    if not bundles:
        return [Outcome.not_applicable("目录中没有涵盖两项以上基本业务的融合套餐。", "No bundle in the catalogue.",
                                       service="none")]  # fmt: skip
    outcomes: list[Outcome] = []
    for service in basic:
        in_bundles = sorted(pid for pid, services in bundles.items() if service in services)
        if not in_bundles:
            continue
        offers = sorted(singles.get(service, []))
        facts = {"service": service, "bundles": sample(in_bundles), "single_offers": sample(offers)}
        if offers:
            outcomes.append(Outcome.passed(
                f"{service}：融合套餐之外另有单项资费方案（{'、'.join(sample(offers, 3))}）。",
                f"{service}: offered as a single service too.", **facts,
            ))  # fmt: skip
        else:
            outcomes.append(Outcome.failed(
                f"{service}：{len(in_bundles)}个融合套餐包含该业务，但目录中没有对应的单项业务资费方案。",
                f"{service}: covered by {len(in_bundles)} bundles but no single-service plan is offered.", **facts,
            ))  # fmt: skip
    return outcomes
