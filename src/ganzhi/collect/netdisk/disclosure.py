"""Read a cloud-drive product/price page (HTML or text) into `netdisk_disclosure` evidence.

Two page shapes are understood: a comparison table whose header row names the tiers (rows are items),
and running text where a short line naming a tier (免费用户, 超级会员…) starts that tier's block. For each
tier we keep the line or cell that states storage, transfer rate, rights and price. Every sentence
using a speed term (极速, 限速…) is kept with whether it says how the rate is provided.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ganzhi.evidence.netdisk import NetdiskDisclosure, SpeedClaim, TierDisclosure

MAX_PAGE_BYTES = 4 << 20
_TIER_LINE_MAX = 30

FREE_TIER = re.compile(r"免费(?:用户|版|账号|会员)?|普通用户|基础版|非会员")
PAID_TIER = re.compile(r"超级会员|SVIP|VIP|会员|付费|专业版|高级版|白金|黄金|Pro|PLUS|Plus", re.IGNORECASE)
STORAGE = re.compile(r"存储空间|空间|容量|\d+(?:\.\d+)?\s*(?:TB|GB|T|G)\b", re.IGNORECASE)
RATE = re.compile(r"速率|速度|限速|极速|不限速|\d+(?:\.\d+)?\s*(?:KB/s|MB/s|Mbps|kbps|M/s|K/s)", re.IGNORECASE)
RIGHTS = re.compile(r"权益|特权|功能|倍速|解压|转存|离线下载|备份")
PRICE = re.compile(r"[¥￥]\s*\d|\d+(?:\.\d+)?\s*元|/月|/年|每月|每年|资费|价格|免费")
#: Speed terms scanned for (a superset of the T5 `claim_terms` param; the check filters).
SCANNED_TERMS: tuple[str, ...] = ("不限速", "限速", "极速", "提速", "加速", "满速", "高速", "秒传")
MECHANISM = re.compile(
    r"供给|机制|取决于|受限于|网络环境|网络条件|以实际|最高可达|最低|保障|不低于|说明|规则|"
    r"\d+(?:\.\d+)?\s*(?:KB/s|MB/s|Mbps|kbps|M/s|K/s)",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_BLOCK_TAGS = {"p", "div", "li", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table", "ul"}


class _PageParser(HTMLParser):
    """Collect text lines and tables (rows of cell texts), skipping scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._current: list[str] = []
        self._skip = 0
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "noscript"}:
            self._skip += 1
        elif tag == "table":
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in {"td", "th"} and self._rows is not None:
            self._cell = []
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "noscript"} and self._skip:
            self._skip -= 1
        elif tag in {"td", "th"} and self._cell is not None and self._rows:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables.append([row for row in self._rows if row])
            self._rows = None
        if tag in _BLOCK_TAGS or tag in {"td", "th"}:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self._current.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.lines.append(text)
        self._current = []

    def close(self) -> None:
        HTMLParser.close(self)
        self._flush()


def _tier_of(text: str) -> bool | None:
    """True for a free-tier name, False for a paid one, None when the text names no tier."""
    if FREE_TIER.search(text):
        return True
    if PAID_TIER.search(text):
        return False
    return None


def _assign(tier: TierDisclosure, label: str, value: str) -> TierDisclosure:
    text = f"{label} {value}".strip()[:500]
    updates: dict[str, str] = {}
    for name, pattern in (("storage", STORAGE), ("rate", RATE), ("rights", RIGHTS), ("price", PRICE)):
        if getattr(tier, name) is None and pattern.search(label or value):
            updates[name] = text
    return tier.model_copy(update=updates) if updates else tier


def _from_table(rows: list[list[str]]) -> list[TierDisclosure]:
    header = rows[0]
    columns = [(i, cell, _tier_of(cell)) for i, cell in enumerate(header) if i > 0 and cell]
    tiers = {i: TierDisclosure(name=cell[:200], free=free) for i, cell, free in columns if free is not None}
    if not tiers:
        return []
    for row in rows[1:]:
        label = row[0] if row else ""
        for index, tier in list(tiers.items()):
            if index < len(row) and row[index] and row[index] not in {"-", "—", "无", "×"}:
                tiers[index] = _assign(tier, label, row[index])
    return list(tiers.values())


def _from_lines(lines: list[str]) -> list[TierDisclosure]:
    tiers: list[TierDisclosure] = []
    for line in lines:
        free = _tier_of(line) if len(line) <= _TIER_LINE_MAX else None
        if free is not None:
            tiers.append(TierDisclosure(name=line[:200], free=free))
        elif tiers:
            tiers[-1] = _assign(tiers[-1], "", line)
    return tiers


def speed_claims(lines: list[str]) -> list[SpeedClaim]:
    """Sentences with a speed term; a mechanism counts when stated in the sentence or the next one."""
    sentences = [s.strip() for line in lines for s in _SENTENCE.findall(line) if s.strip()]
    claims: list[SpeedClaim] = []
    for index, sentence in enumerate(sentences):
        found = [term for term in SCANNED_TERMS if term in sentence]
        if not found:
            continue
        term = max(found, key=len)
        nearby = sentence + (sentences[index + 1] if index + 1 < len(sentences) else "")
        claims.append(SpeedClaim(term=term, sentence=sentence[:1000], mechanism_stated=bool(MECHANISM.search(nearby))))
        if len(claims) >= 500:
            break
    return claims


def read_disclosure(content: bytes, source: str) -> NetdiskDisclosure:
    """Parse a page; content beyond MAX_PAGE_BYTES is ignored; undecodable bytes are replaced."""
    text = content[:MAX_PAGE_BYTES].decode("utf-8", "replace")
    parser = _PageParser()
    if re.search(r"<\s*(html|body|div|p|table)\b", text, re.IGNORECASE):
        parser.feed(text)
        parser.close()
        lines = parser.lines
    else:
        lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    tiers: list[TierDisclosure] = []
    for table in parser.tables:
        if table:
            tiers.extend(_from_table(table))
    if not tiers:
        tiers = _from_lines(lines)
    return NetdiskDisclosure(source=source[:2000], tiers=tiers[:50], claims=speed_claims(lines))
