"""Read a cloud-drive product/price page (HTML or text) into `netdisk_disclosure` evidence.

Page shapes understood, as vendors publish them:

- a comparison table whose header row names the tiers (rows are items); caption rows above it are skipped;
- a table whose rows are tiers and whose header names the items (档位 | 资费 | 存储容量 | 传输速率 | 权益);
- running text where a line starts with a tier name (免费用户, 超级会员 SVIP, 基础版（免费）…), either alone
  (a heading: the following lines are that tier's) or followed by that tier's items on the same line
  ("超级会员 SVIP ¥30/月 5TB空间 极速下载").

A tier name is a short phrase ending in a tier noun (用户, 会员, 版, VIP…), so slogans such as
"会员专享极速通道" do not open a tier. For each tier we keep the text that states storage, transfer rate,
rights and price. Every sentence using a speed term (极速, 不限速…) is kept with whether the page says how
the rate is provided: in that sentence, or in another sentence of the page using the same term with a
mechanism (a footnote such as "※ 不限速：指…实际速率取决于网络环境").
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ganzhi.evidence.netdisk import NetdiskDisclosure, SpeedClaim, TierDisclosure

MAX_PAGE_BYTES = 4 << 20
_TIER_LINE_MAX = 30

FREE_TIER = re.compile(r"免费(?:用户|版|账号|会员)?|普通用户|基础版|非会员")
PAID_TIER = re.compile(r"超级会员|SVIP|VIP|会员|付费|专业版|高级版|白金|黄金|Pro|PLUS|Plus", re.IGNORECASE)
STORAGE = re.compile(r"存储空间|空间|容量|\d+(?:\.\d+)?\s*(?:TB|GB|T|G)(?![A-Za-z])", re.IGNORECASE)
RATE = re.compile(r"速率|速度|限速|极速|不限速|\d+(?:\.\d+)?\s*(?:KB/s|MB/s|Mbps|kbps|M/s|K/s)", re.IGNORECASE)
RIGHTS = re.compile(
    r"权益|特权|功能|倍速|解压|转存|离线下载|备份|同步|分享|预览|原画|画质|回收站|历史版本|团队空间|相册|多端|云添加"
)
PRICE = re.compile(r"[¥￥]\s*\d|\d+(?:\.\d+)?\s*元|/月|/年|每月|每年|资费|价格|免费")
#: Speed terms scanned for (a superset of the T5 `claim_terms` param; the check filters).
SCANNED_TERMS: tuple[str, ...] = ("不限速", "限速", "极速", "提速", "加速", "满速", "高速", "秒传")
MECHANISM = re.compile(
    r"供给|机制|取决于|受限于|网络环境|网络条件|以实际|最高可达|最低|保障|不低于|说明|规则|"
    r"\d+(?:\.\d+)?\s*(?:KB/s|MB/s|Mbps|kbps|M/s|K/s)",
    re.IGNORECASE,
)
#: A tier name: a short phrase ending in a tier noun, optionally with a bracketed remark (基础版（免费）).
_TIER_NAME = re.compile(
    r"^[\w\s·]{0,10}?(?:用户|会员|版|VIP|SVIP|Plus|PLUS|Pro|账号|账户)(?:\s*(?:SVIP|VIP|Plus|Pro))?"
    r"\s*(?:[（(][^）)]{1,8}[）)])?$",
    re.IGNORECASE,
)
_NAME_SPLIT = re.compile(r"[：:，,|｜\s]+")
_TIER_NAME_MAX = 16
_FOOTNOTE_MARKS = "*＊※†"
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


_NOT_A_NAME = re.compile(r"开通|购买|升级|成为|加入|续费|立即|专享|享受|赠送|领取|试用")


def _tier_of(text: str) -> bool | None:
    """True for a free-tier name, False for a paid one, None when the text names no tier."""
    if FREE_TIER.search(text):
        return True
    if PAID_TIER.search(text):
        return False
    return None


def tier_name(text: str) -> tuple[str, bool] | None:
    """(name, free) when `text` is a tier name such as 免费用户, 超级会员 SVIP or 基础版（免费）."""
    name = text.strip(" \t【】[]·-—*")
    if not name or len(name) > _TIER_NAME_MAX or _NOT_A_NAME.search(name) or not _TIER_NAME.match(name):
        return None
    free = _tier_of(name)
    return None if free is None else (name, free)


def _split_name(line: str) -> tuple[str, bool, str] | None:
    """A line opening a tier: its name, whether free, and the rest of the line (that tier's items)."""
    whole = tier_name(line)
    if whole is not None:
        return whole[0], whole[1], ""
    parts = _NAME_SPLIT.split(line, maxsplit=1)
    if len(parts) == 2:
        head = tier_name(parts[0])
        if head is not None:
            return head[0], head[1], parts[1]
        # "超级会员 SVIP ¥30/月 …": the name may span two words
        more = _NAME_SPLIT.split(parts[1], maxsplit=1)
        if len(more) == 2 and (pair := tier_name(f"{parts[0]} {more[0]}")) is not None:
            return pair[0], pair[1], more[1]
    return None


def _assign(tier: TierDisclosure, label: str, value: str) -> TierDisclosure:
    text = f"{label} {value}".strip()[:500]
    updates: dict[str, str] = {}
    for name, pattern in (("storage", STORAGE), ("rate", RATE), ("rights", RIGHTS), ("price", PRICE)):
        if getattr(tier, name) is None and pattern.search(label or value):
            updates[name] = text
    return tier.model_copy(update=updates) if updates else tier


def _assign_parts(tier: TierDisclosure, text: str) -> TierDisclosure:
    """Assign each comma- or space-separated part of a line on its own, so one part is not read as all items."""
    for part in re.split(r"[，,；;、]\s*|\s{1,}(?=\S)", text):
        if part.strip():
            tier = _assign(tier, "", part.strip())
    return tier


_EMPTY_CELLS = {"-", "—", "无", "×", "/", "--"}


def _from_table(rows: list[list[str]]) -> list[TierDisclosure]:
    """Tiers of a table: tiers as columns (header row of tier names) or as rows (first column of tier names)."""
    for position, header in enumerate(rows):
        named = {i: found for i, cell in enumerate(header) if i > 0 and (found := tier_name(cell)) is not None}
        if len(named) >= 2 or (named and len(header) == 2):
            tiers = {i: TierDisclosure(name=name[:200], free=free) for i, (name, free) in named.items()}
            for row in rows[position + 1 :]:
                label = row[0] if row else ""
                for index, tier in list(tiers.items()):
                    if index < len(row) and row[index] and row[index] not in _EMPTY_CELLS:
                        tiers[index] = _assign(tier, label, row[index])
            return list(tiers.values())
    by_row: list[TierDisclosure] = []
    labels: list[str] = []
    for row in rows:
        found = tier_name(row[0]) if row else None
        if found is None:
            if not by_row:
                labels = row
            continue
        tier = TierDisclosure(name=found[0][:200], free=found[1])
        for index, cell in enumerate(row[1:], start=1):
            if cell and cell not in _EMPTY_CELLS:
                label = labels[index] if index < len(labels) else ""
                tier = _assign(tier, label, cell) if label else _assign_parts(tier, cell)
        by_row.append(tier)
    return by_row


def _from_lines(lines: list[str]) -> list[TierDisclosure]:
    tiers: list[TierDisclosure] = []
    for line in lines:
        opened = _split_name(line)
        if opened is not None:
            name, free, rest = opened
            tier = TierDisclosure(name=name[:200], free=free)
            tiers.append(_assign_parts(tier, rest) if rest else tier)
        elif tiers:
            tiers[-1] = _assign(tiers[-1], "", line)
    return tiers


def speed_claims(lines: list[str]) -> list[SpeedClaim]:
    """Sentences with a speed term; explained when that sentence, or another sentence of the page using the
    same term (a footnote, a definition), states a mechanism; a footnote mark (*, ※) on the claim refers
    to a footnote line opening with the same mark."""
    sentences = [s.strip() for line in lines for s in _SENTENCE.findall(line) if s.strip()]
    found_terms = [[term for term in SCANNED_TERMS if term in sentence] for sentence in sentences]
    explained: set[str] = set()
    footnotes: set[str] = set()
    for sentence, terms in zip(sentences, found_terms, strict=True):
        if MECHANISM.search(sentence):
            explained.update(terms)
            if sentence[0] in _FOOTNOTE_MARKS:
                footnotes.add(sentence[0])
    claims: list[SpeedClaim] = []
    for sentence, found in zip(sentences, found_terms, strict=True):
        if not found:
            continue
        term = max(found, key=len)
        marked = any(mark in sentence for mark in footnotes)
        stated = bool(MECHANISM.search(sentence)) or term in explained or marked
        claims.append(SpeedClaim(term=term, sentence=sentence[:1000], mechanism_stated=stated))
        if len(claims) >= 500:
            break
    return claims


def read_disclosure(content: bytes, source: str) -> NetdiskDisclosure:
    """Parse a page; content beyond MAX_PAGE_BYTES is ignored; undecodable bytes are replaced."""
    text = content[:MAX_PAGE_BYTES].decode("utf-8", "replace")
    parser = _PageParser()
    if re.search(r"<\s*(?:html|body|div|p|table|ul|ol|li|span|section|article|h[1-6]|tr|td)\b", text, re.IGNORECASE):
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
