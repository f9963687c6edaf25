"""Keep one set of eligibility rules per run when a campaign overrides them.

The catalog declares `min_days` and `non_portable_prefixes` on the eligibility requirements and again on
`T9.operator-decision` (which must judge the operator by the same rules). A campaign that overrides a
rule on one of them is applied to the other too, so the verdict and the operator review never disagree;
two different values for the same rule are refused.
"""

from __future__ import annotations

from ganzhi.catalog.params import Overrides
from ganzhi.catalog.schema import ParamValue
from ganzhi.errors import OverrideError

OPERATOR_REQUIREMENT = "T9.operator-decision"
#: Param id → the eligibility requirement that owns it.
SHARED_RULES: dict[str, str] = {
    "min_days": "T9.eligibility.min-interval",
    "non_portable_prefixes": "T9.eligibility.portable-range",
}


def align_rule_overrides(overrides: Overrides | None, source: str = "campaign") -> Overrides | None:
    """`overrides` with each shared rule set on both requirements; OverrideError when they conflict."""
    if not overrides:
        return overrides
    merged: dict[str, dict[str, ParamValue]] = {req: dict(params) for req, params in overrides.items()}
    operator = merged.setdefault(OPERATOR_REQUIREMENT, {})
    for param_id, owner in SHARED_RULES.items():
        own = merged.setdefault(owner, {})
        if param_id in own and param_id in operator and own[param_id] != operator[param_id]:
            raise OverrideError(
                f"{source}: {param_id}: {owner} sets {own[param_id]!r} but {OPERATOR_REQUIREMENT} sets "
                f"{operator[param_id]!r}; the operator is judged by the same rules, give one value"
            )
        if param_id in own:
            operator[param_id] = own[param_id]
        elif param_id in operator:
            own[param_id] = operator[param_id]
    return {req: params for req, params in merged.items() if params}
