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

#: A number, never started inside a run of digits: the same matches as without the look-behind (a digit run's
#: suffix matches only where the whole run does), but a 4000-digit cell is scanned once, not 4000 times.
_NUM = r"(?<!\d)(\d+(?:\.\d+)?)"
_FULLWIDTH = str.maketrans("０１２３４５６７８９．／（）ＧＭＫＢｇｍｋｂ％：", "0123456789./()GMKBgmkb%:")
_UNLIMITED = re.compile(r"不限量|无限量|无限流量|不限流量|无限")
_DATA = re.compile(_NUM + r"\s*(TB|GB|MB|KB|T|G|M|K)(?![a-z])", re.IGNORECASE)
#: A unit ends where Latin letters end: '1000M光宽带' and '3元/GB计收' carry a unit although a CJK letter follows.
_END = r"(?![A-Za-z])"
_SPEED = re.compile(_NUM + r"\s*(Gbps|Mbps|Kbps|kbit/s|Mbit/s|kb/s|mb/s|G|M|K)" + _END, re.IGNORECASE)
#: Chinese speed words: '300兆', '1000兆', '千兆', '百兆', '万兆' (兆 = Mbit/s in broadband usage).
_SPEED_ZH = re.compile(_NUM + r"\s*兆")
_SPEED_WORDS = {"万兆": 10_000_000.0, "千兆": 1_000_000.0, "百兆": 100_000.0}
#: Words that introduce a throttling clause (达量降速): '降速', '限速', '降至', '网速限制为', '速率下调至' ….
_THROTTLE_WORD = re.compile(
    r"(?<![不无未非])(?:降速|限速|降至|降为|降到|下调至|速率限制|限制网速|网速限制|限制为|限制在|降低速率|降档"
    r"|(?:速率|网速)\S{0,4}?(?:调整|下调|降低|限制)(?:为|至|到))"
)
_THROTTLE_AT = re.compile(_NUM + r"\s*(GB|G|MB|M|TB|T)" + _END + r"\s*(?:后|以上|以后|之后|时|达量)", re.IGNORECASE)
_THROTTLE_AT_LOOSE = re.compile(
    r"(?:达到|超过|超出|满|使用|用满|用完|用尽)\s*" + _NUM + r"\s*(GB|G|MB|M|TB|T)" + _END, re.IGNORECASE
)
_THROTTLE_TO = re.compile(
    r"(?:降速|限速|降至|降为|降到|下调至|速率|网速|限制为|限制在|不超过|最高|最大)\s*(?:至|为|到|于|在)?\s*(?:最高|最大|不超过)?\s*"
    + _NUM + r"\s*(Mbps|Kbps|Mbit/s|kbit/s|kb/s|M|K)" + _END,
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[。；;\n]+")
_PRICE_PER = re.compile(_NUM + r"\s*元\s*/\s*(\d+(?:\.\d+)?)?\s*(KB|MB|GB|K|M|G)" + _END, re.IGNORECASE)
_DAILY_FIRST = re.compile(r"每天?(?:前)?\s*" + _NUM + r"\s*(GB|MB|G|M)\s*(?:收费|按)?\s*" + _NUM + r"\s*元", re.I)
_PRICE_EACH = re.compile(
    r"每\s*(\d+(?:\.\d+)?)?\s*(KB|MB|GB|K|M|G)" + _END + r"\s*(?:收取|收费|计收|计费|按)?\s*" + _NUM + r"\s*元",
    re.IGNORECASE,
)
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
    """A rate in kbit/s: '1Mbps', '128Kbps', '1000M光宽带', '300兆', '千兆', or a bare number in the header's unit."""
    clean = normalise_text(text)
    match = _SPEED.search(clean)
    if match:
        return float(match.group(1)) * KBPS_PER[match.group(2).lower()]
    zh = _SPEED_ZH.search(clean)
    if zh:
        return float(zh.group(1)) * 1000.0
    word = next((kbps for w, kbps in _SPEED_WORDS.items() if w in clean), None)
    if word is not None:
        return word
    if header_unit and header_unit.lower() in KBPS_PER and re.fullmatch(r"\d+(?:\.\d+)?", clean):
        return float(clean) * KBPS_PER[header_unit.lower()]
    raise UnitError(f"expected a rate such as '100Mbps', got {text!r}")


def parse_throttle(text: str) -> Throttle | None:
    """The first throttling step in free text; None when the text names none.

    Read clause by clause (split at 。；): a clause names a throttle when it has a throttling word ('降速',
    '限速', '降至', '网速限制为' …); its threshold is a volume followed by 后/以上 or introduced by 达到/超过,
    its reduced speed a rate after 降至/限速/最高 …. '20GB达量降速至1Mbps', '达到100GB后上网速率降至1Mbps' and
    '当月使用超过80GB后，网速限制为最高1Mbps' all read as (threshold, speed).
    """
    clean = normalise_text(text)
    for clause in _CLAUSE.split(clean):
        word = _THROTTLE_WORD.search(clause)
        if not word:
            continue
        before = clause[: word.end()]
        at = _THROTTLE_AT.search(before) or _THROTTLE_AT_LOOSE.search(before) or _THROTTLE_AT.search(clause)
        to = _THROTTLE_TO.search(clause, word.start())
        after_gb = float(at.group(1)) * GB_PER[at.group(2).lower()] if at else None
        kbps = float(to.group(1)) * KBPS_PER[to.group(2).lower()] if to else None
        return Throttle(after_gb=after_gb or None, kbps=kbps or None)
    return None


def parse_data_price(text: str) -> DataPrice | None:
    """The out-of-package data price normalised to 元/GB; None when the text names no data price.

    Forms: '0.0003元/KB', '0.29元/MB', '5元/GB', '3元/1GB', '每GB 3元', daily packs '每天前1GB收费10元', '5元/天含1GB'.
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
    each = _PRICE_EACH.search(clean)
    if per:
        yuan, amount_text, unit_text = float(per.group(1)), per.group(2), per.group(3)
    elif each:  # '每GB 3元', '每100MB收取1元'
        yuan, amount_text, unit_text = float(each.group(3)), each.group(1), each.group(2)
    else:
        return None
    amount = float(amount_text) if amount_text else 1.0
    unit_key = unit_text.lower()[0]
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
