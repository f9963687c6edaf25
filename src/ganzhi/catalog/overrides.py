"""Campaign param overrides: validated against the catalog before any check sees them.

File format (YAML or JSON)::

    params:
      T2.delivered-rate:
        min_share: {value: 0.85, unit: ratio}
      T10.time-to-human:
        max_seconds: 20        # a bare value is allowed when no unit is given
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ganzhi.catalog.params import Overrides
from ganzhi.catalog.schema import Catalog, ParamValue, check_param_value
from ganzhi.errors import OverrideError


def validate_overrides(catalog: Catalog, raw: Mapping[str, Any], source: str) -> Overrides:
    """Check every override's requirement id, param id, unit, type and range; return plain values."""
    result: dict[str, dict[str, ParamValue]] = {}
    for req_id, params in raw.items():
        try:
            req = catalog.requirement(str(req_id))
        except KeyError:
            raise OverrideError(f"{source}: {req_id}: unknown requirement id") from None
        if not isinstance(params, Mapping):
            raise OverrideError(f"{source}: {req_id}: expected a mapping of param id → value (got {params!r})")
        for param_id, spec in params.items():
            try:
                param = req.param(str(param_id))
            except KeyError:
                known = [p.id for p in req.params]
                raise OverrideError(
                    f"{source}: {req_id}.{param_id}: unknown param id (this requirement has {known})"
                ) from None
            value = spec
            if isinstance(spec, Mapping):
                extra = sorted(str(key) for key in spec if key not in ("value", "unit"))
                if extra:
                    raise OverrideError(
                        f"{source}: {req_id}.{param_id}: unknown keys {extra} (expected 'value' and 'unit')"
                    )
                unit = spec.get("unit")
                if unit is not None and unit != param.unit:
                    raise OverrideError(f"{source}: {req_id}.{param_id}: wrong unit {unit!r} (expected {param.unit!r})")
                if "value" not in spec:
                    raise OverrideError(f"{source}: {req_id}.{param_id}: missing 'value'")
                value = spec["value"]
            try:
                check_param_value(param, value)
            except ValueError as exc:
                raise OverrideError(f"{source}: {req_id}.{param_id}: {exc}") from None
            result.setdefault(req.id, {})[param.id] = value
    return result


def load_overrides(catalog: Catalog, path: Path) -> Overrides:
    """Read a campaign file's `params:` section and validate it."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise OverrideError(f"{path}: cannot read campaign file: {exc}") from None
    if not isinstance(data, Mapping):
        raise OverrideError(f"{path}: expected a mapping at the top level")
    params = data.get("params", {})
    if not isinstance(params, Mapping):
        raise OverrideError(f"{path}: 'params' must be a mapping of requirement id → params")
    return validate_overrides(catalog, params, str(path))
