"""Effective params for a check: catalog defaults, overlaid by a campaign's overrides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ganzhi.catalog.schema import Basis, Catalog, Param, ParamValue


@dataclass(frozen=True, slots=True)
class ParamSetting:
    """A param's effective value and whether it is official, a default, or overridden."""

    param: Param
    value: ParamValue
    overridden: bool = False

    @property
    def label(self) -> str:
        """How reports label the number: 'official', 'configurable default' or 'campaign override'."""
        if self.overridden:
            return "campaign override"
        return self.param.basis.value


@dataclass(frozen=True, slots=True)
class Params:
    """The params one check sees, by param id. Pure data: picklable, no catalog lookups."""

    settings: Mapping[str, ParamSetting] = field(default_factory=dict)
    _described: dict[str, dict[str, object]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Every result of a check carries this view; build it once, not once per result.
        described = {
            pid: {"value": s.value, "unit": s.param.unit, "label": s.label} for pid, s in sorted(self.settings.items())
        }
        object.__setattr__(self, "_described", described)

    def get(self, param_id: str) -> ParamValue:
        """The effective value; KeyError lists the params that exist."""
        try:
            return self.settings[param_id].value
        except KeyError:
            raise KeyError(f"no param {param_id!r}; this check has {sorted(self.settings)}") from None

    def number(self, param_id: str) -> float:
        """The effective value as a float; TypeError when the param is not a number."""
        value = self.get(param_id)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"param {param_id!r} is not a number (got {value!r})")
        return float(value)

    def strings(self, param_id: str) -> list[str]:
        """The effective value as a list of strings."""
        value = self.get(param_id)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TypeError(f"param {param_id!r} is not a list of text (got {value!r})")
        return [str(v) for v in value]

    def describe(self) -> dict[str, dict[str, object]]:
        """JSON-ready view for reports: value, unit and label of each param (a copy; callers may keep it)."""
        return {pid: dict(view) for pid, view in self._described.items()}


#: Campaign overrides: requirement id → param id → value.
Overrides = Mapping[str, Mapping[str, ParamValue]]


def params_for(catalog: Catalog, requirement_ids: Iterable[str], overrides: Overrides | None = None) -> Params:
    """Merge the params of `requirement_ids`; a param id declared by two of them must agree.

    Overrides are assumed validated (see `catalog.overrides.validate_overrides`).
    """
    settings: dict[str, ParamSetting] = {}
    for req_id in requirement_ids:
        req = catalog.requirement(req_id)
        req_overrides = (overrides or {}).get(req_id, {})
        for param in req.params:
            overridden = param.id in req_overrides
            value = req_overrides[param.id] if overridden else param.value
            setting = ParamSetting(param=param, value=value, overridden=overridden)
            previous = settings.get(param.id)
            if previous is not None and previous.value != setting.value:
                raise ValueError(
                    f"param {param.id!r} differs between requirements of one check "
                    f"({previous.value!r} vs {setting.value!r} from {req_id})"
                )
            settings[param.id] = setting
    return Params(settings=settings)


def is_official(setting: ParamSetting) -> bool:
    """True when a rule fixes the number and no campaign changed it."""
    return setting.param.basis is Basis.OFFICIAL and not setting.overridden
