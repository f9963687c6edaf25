"""County adcode of a Chinese postal address, with the `cpca` package (MIT), refusing to guess.

`cpca.transform` fills in a province and city from a county name alone ("鼓楼区" → 河南省开封市) and reads
"中山路" as 中山市; a registry hall placed so would be placed in the wrong province. We accept its answer only
when the address itself names the county and, before it, the prefecture or the province, so the county
is unambiguous; otherwise None, and the caller reports that the address does not decide the county.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _transform() -> Any:
    import cpca  # type: ignore[import-untyped]  # loads pandas: only when an address must be read

    return cpca.transform


def _position(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


@lru_cache(maxsize=65536)
def county_from_address(address: str) -> str | None:
    """The 6-digit county adcode the address names unambiguously, else None."""
    text = "".join(address.split())
    if len(text) < 4:
        return None
    try:
        frame = _transform()([text], pos_sensitive=True)
    except Exception:
        return None
    if frame.empty:
        return None
    record = frame.to_dict("records")[0]
    county, city, province = (_position(record.get(k)) for k in ("区_pos", "市_pos", "省_pos"))
    code = str(record.get("adcode") or "")
    if county < 0 or max(city, province) < 0 or county <= max(city, province):
        return None
    if len(code) != 6 or not code.isdigit() or code.endswith("00"):
        return None
    return code
