"""携入网上办理 and 异地余额退还: one verdict from what the operator declares and what tests found."""

from __future__ import annotations

from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t9.halls_common import operator_label
from ganzhi.evidence.halls import PortingServices

_NAMES = {
    "online_port_in": ("携入网上办理", "online port-in"),
    "remote_refund": ("携出用户异地营业厅余额退还", "balance refund at halls in other cities"),
}


def service_outcome(services: PortingServices, service: str) -> Outcome:
    """FAIL when not offered or every test failed; WARN when some tests failed; MANUAL when declared but untested."""
    zh_name, en_name = _NAMES[service]
    label = operator_label(services.operator)
    fact = next((s for s in services.services if s.service == service), None)
    if fact is None or not fact.declared:
        return Outcome.failed(
            f"{label}未提供{zh_name}", f"{services.operator} does not offer {en_name}", service=service, declared=False
        )
    ok = [t for t in fact.tests if t.succeeded]
    bad = [t for t in fact.tests if not t.succeeded]
    facts = {
        "service": service,
        "declared": True,
        "channels": fact.channels,
        "tests": len(fact.tests),
        "succeeded": len(ok),
        "failed_in": sorted({t.province for t in bad}),
    }
    if not fact.tests:
        return Outcome.manual(
            f"{label}声明提供{zh_name}，尚无测试记录", f"{services.operator} declares {en_name}; no test yet", **facts
        )
    if not ok:
        return Outcome.failed(
            f"{label}声明提供{zh_name}，但{len(bad)}次测试全部失败",
            f"{services.operator} declares {en_name} but all {len(bad)} tests failed",
            **facts,
        )
    if bad:
        return Outcome.warned(
            f"{label}{zh_name}测试{len(fact.tests)}次，失败{len(bad)}次",
            f"{en_name}: {len(bad)} of {len(fact.tests)} tests failed",
            **facts,
        )
    return Outcome.passed(
        f"{label}提供{zh_name}，{len(ok)}次测试均成功",
        f"{services.operator} offers {en_name}; all {len(ok)} tests succeeded",
        **facts,
    )
