"""Parse the quantities operators write into tariff cells: money, data volumes, speeds, dates, data prices.

Cells carry their unit in the text ("20GB", "0.0003元/KB", "1Mbps") or in the header ("通用流量（GB）");
a header unit is used only when the cell has none. Every parser raises `UnitError` with a message
that says what was expected and what was found; the importer adds file, row and field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ganzhi.evidence.tariff import DataPrice, PriceUnit, Throttle

GB_PER = {"kb": 1 / (1024 * 1024), "k": 1 / (1024 * 1024), "mb": 1 / 1024, "m": 1 / 1024, "gb": 1.0, "g": 1.0,
          "tb": 1024.0, "t": 1024.0}  # fmt: skip
KBPS_PER = {"kbps": 1.0, "k": 1.0, "kbit/s": 1.0, "kb/s": 1.0, "mbps": 1000.0, "m": 1000.0, "mbit/s": 1000.0,
            "mb/s": 1000.0, "gbps": 1_000_000.0, "g": 1_000_000.0}  # fmt: skip

_NUM = r"(\d+(?:\.\d+)?)"
_FULLWIDTH = str.maketrans("０１２３４５６７８９．／（）ＧＭＫＢｇｍｋｂ％：", "0123456789./()GMKBgmkb%:")
_UNLIMITED = re.compile(r"不限量|无限量|无限流量|不限流量|无限")
_DATA = re.compile(_NUM + r"\s*(TB|GB|MB|KB|T|G|M|K)(?![a-z])", re.IGNORECASE)
_SPEED = re.compile(_NUM + r"\s*(Gbps|Mbps|Kbps|kbit/s|Mbit/s|kb/s|mb/s|G|M|K)\b", re.IGNORECASE)
_THROTTLE_AT = re.compile(_NUM + r"\s*(GB|G|MB|M)\s*(?:后|以上|达量)?\s*(?:达量)?\s*(?:降速|限速)", re.IGNORECASE)
_THROTTLE_TO = re.compile(r"(?:降速|限速|降至|速率)\s*(?:至|为|到)?\s*" + _NUM + r"\s*(Mbps|Kbps|M|K)", re.IGNORECASE)
_PRICE_PER = re.compile(_NUM + r"\s*元\s*/\s*(\d+(?:\.\d+)?)?\s*(KB|MB|GB|K|M|G)\b", re.IGNORECASE)
_DAILY_FIRST = re.compile(r"每天?(?:前)?\s*" + _NUM + r"\s*(GB|MB|G|M)\s*(?:收费|按)?\s*" + _NUM + r"\s*元", re.I)
_DAILY_YUAN = re.compile(_NUM + r"\s*元\s*/\s*(?:天|日)\s*[,，(（]?\s*(?:含|包含)?\s*" + _NUM + r"\s*(GB|MB|G|M)", re.I)
_CAP = re.compile(r"封顶\s*" + _NUM + r"\s*元|" + _NUM + r"\s*元\s*封顶|最高收取\s*" + _NUM + r"\s*元")
_DATE_FORMS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S")
_NO_DATE = {"", "无", "长期", "长期有效", "永久", "-", "/", "—", "暂无", "不限"}


class UnitError(ValueError):
    """A cell could not be read as the quantity it should hold."""


@dataclass(frozen=True, slots=True)
class DataAllowance:
    """A data allowance: GB (the quota before throttling for unlimited plans) and whether it is 'unlimited'."""

    gb: float | None
    unlimited: bool


def normalise_text(value: str) -> str:
    """Full-width digits and units to ASCII, whitespace collapsed."""
    return re.sub(r"\s+", " ", value.translate(_FULLWIDTH)).strip()


def parse_number(text: str, *, what: str, minimum: float = 0.0, maximum: float | None = None) -> float:
    """The first number in `text`; negative or absurd values are errors."""
    clean = normalise_text(text)
    match = re.search(r"-?\d+(?:\.\d+)?", clean)
    if not match:
        raise UnitError(f"expected a number for {what}, got {text!r}")
    value = float(match.group(0))
    if value < minimum:
        raise UnitError(f"{what} must be >= {minimum:g}, got {value:g}")
    if maximum is not None and value > maximum:
        raise UnitError(f"{what} is absurd: {value:g} > {maximum:g}")
    return value


def parse_money(text: str, *, what: str = "资费标准", maximum: float = 100_000.0) -> float:
    """Yuan from '99元/月', '¥99', '99.00'; '免费' is 0."""
    clean = normalise_text(text)
    if clean in {"免费", "0元"}:
        return 0.0
    if "元" not in clean and not re.fullmatch(r"[¥￥]?\s*-?\d+(?:\.\d+)?", clean):
        raise UnitError(f"expected an amount in 元 for {what}, got {text!r}")
    return parse_number(clean, what=what, maximum=maximum)


def parse_data(text: str, *, header_unit: str | None = None, maximum_gb: float = 100_000.0) -> DataAllowance:
    """Data volume in GB; '不限量（20GB达量降速）' is unlimited with a 20 GB quota before throttling."""
    clean = normalise_text(text)
    unlimited = bool(_UNLIMITED.search(clean))
    match = _DATA.search(clean)
    if match and clean[: match.start()].rstrip().endswith("-"):
        raise UnitError(f"data volume must be >= 0, got {text!r}")
    if match:
        gb = float(match.group(1)) * GB_PER[match.group(2).lower()]
    elif unlimited:
        return DataAllowance(gb=None, unlimited=True)
    elif header_unit and header_unit.lower() in GB_PER and re.fullmatch(r"-?\d+(?:\.\d+)?", clean):
        gb = float(clean) * GB_PER[header_unit.lower()]
    elif re.fullmatch(r"-?\d+(?:\.\d+)?", clean):
        raise UnitError(f"data volume {text!r} has no unit (expected GB, MB or KB in the cell or the header)")
    else:
        raise UnitError(f"expected a data volume such as '20GB', got {text!r}")
    if gb < 0:
        raise UnitError(f"data volume must be >= 0, got {text!r}")
    if gb > maximum_gb:
        raise UnitError(f"data volume is absurd: {text!r} > {maximum_gb:g} GB")
    return DataAllowance(gb=round(gb, 6), unlimited=unlimited)


def parse_speed_kbps(text: str, *, header_unit: str | None = None) -> float:
    """A rate in kbit/s from '1Mbps', '128Kbps', or a bare number with the header's unit."""
    clean = normalise_text(text)
    match = _SPEED.search(clean)
    if match:
        return float(match.group(1)) * KBPS_PER[match.group(2).lower()]
    if header_unit and header_unit.lower() in KBPS_PER and re.fullmatch(r"\d+(?:\.\d+)?", clean):
        return float(clean) * KBPS_PER[header_unit.lower()]
    raise UnitError(f"expected a rate such as '100Mbps', got {text!r}")


def parse_throttle(text: str) -> Throttle | None:
    """The first throttling step in free text ('20GB达量降速至1Mbps'); None when the text names none."""
    clean = normalise_text(text)
    if not re.search(r"降速|限速", clean):
        return None
    at = _THROTTLE_AT.search(clean)
    to = _THROTTLE_TO.search(clean)
    after_gb = float(at.group(1)) * GB_PER[at.group(2).lower()] if at else None
    kbps = float(to.group(1)) * KBPS_PER[to.group(2).lower()] if to else None
    return Throttle(after_gb=after_gb or None, kbps=kbps or None)


def parse_data_price(text: str) -> DataPrice | None:
    """The out-of-package data price normalised to 元/GB; None when the text names no data price.

    Forms: '0.0003元/KB', '0.29元/MB', '5元/GB', '3元/1GB', daily packs '每天前1GB收费10元', '5元/天含1GB'.
    """
    clean = normalise_text(text)
    daily = _DAILY_FIRST.search(clean)
    if daily:
        pack_gb = float(daily.group(1)) * GB_PER[daily.group(2).lower()]
        yuan = float(daily.group(3))
        return _daily(text, yuan, pack_gb)
    daily = _DAILY_YUAN.search(clean)
    if daily:
        yuan = float(daily.group(1))
        pack_gb = float(daily.group(2)) * GB_PER[daily.group(3).lower()]
        return _daily(text, yuan, pack_gb)
    per = _PRICE_PER.search(clean)
    if not per:
        return None
    yuan = float(per.group(1))
    amount = float(per.group(2)) if per.group(2) else 1.0
    unit_key = per.group(3).lower()[0]
    unit = {"k": PriceUnit.PER_KB, "m": PriceUnit.PER_MB, "g": PriceUnit.PER_GB}[unit_key]
    if amount <= 0:
        raise UnitError(f"data price {text!r} divides by a zero volume")
    per_gb = yuan / (amount * GB_PER[unit_key])
    return DataPrice(text=text[:4000], unit=unit, yuan=yuan / amount, yuan_per_gb=round(per_gb, 4))


def _daily(text: str, yuan: float, pack_gb: float) -> DataPrice:
    if pack_gb <= 0:
        raise UnitError(f"daily data pack {text!r} has a zero volume")
    return DataPrice(
        text=text[:4000], unit=PriceUnit.DAILY_PACK, yuan=yuan, pack_gb=pack_gb, yuan_per_gb=round(yuan / pack_gb, 4)
    )


def price_units(text: str) -> set[str]:
    """Units of every data price in `text` (to flag cells that mix 元/KB and 元/GB)."""
    clean = normalise_text(text)
    return {m.group(3).upper()[0] for m in _PRICE_PER.finditer(clean)}


def parse_cap_yuan(text: str) -> float | None:
    """A spending cap ('封顶600元', '600元封顶'); None when the text names none."""
    match = _CAP.search(normalise_text(text))
    if not match:
        return None
    return float(next(g for g in match.groups() if g is not None))


def parse_date(value: object, *, what: str) -> dt.date | None:
    """A date from an Excel cell or text; '长期'/'无' is None; anything else unparseable is an error."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = normalise_text(str(value))
    if text in _NO_DATE:
        return None
    for form in _DATE_FORMS:
        try:
            parsed = dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
        if not 1990 <= parsed.year <= 2100:
            raise UnitError(f"{what} {text!r} is outside 1990–2100")
        return parsed
    raise UnitError(f"expected a date such as 2021-12-31 for {what}, got {text!r}")
