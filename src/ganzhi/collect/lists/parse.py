"""Parse the two personal-information lists from HTML tables, XLSX, CSV or JSON into `PiList` evidence.

Header matching is tolerant (synonyms, extra words, odd spacing). Merged cells are filled from the
cell they span, and reported; a table without a recognisable header row becomes a problem record.
Nothing here raises for bad content except `InputError` for an unreadable or oversized file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path

from ganzhi.collect.lists.schema import assign_roles, guess_kind, match_role
from ganzhi.collect.policy.ingest import decode_bytes
from ganzhi.collect.policy.normalize import normalize_text
from ganzhi.errors import InputError
from ganzhi.evidence.pi_lists import ListKind, ListRow, PiList
from ganzhi.rules.policy.pi_lexicon import categories_in

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
MIN_HEADER_ROLES = 2


class _TableParser(HTMLParser):
    """Tables of an HTML page as lists of rows of cell text; rowspan/colspan expanded; scripts dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.merged: list[int] = []
        self.titles: list[str] = []
        self._stack: list[tuple[list[list[str]], dict[tuple[int, int], str]]] = []
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._drop = 0
        self._heading: list[str] | None = None
        self._last_heading = ""
        #: text lines outside tables (for lists published as "key：value" blocks, e.g. SDK cards)
        self.lines: list[str] = []
        self.headings: list[str] = []
        self._line: list[str] = []

    def _flush_line(self) -> None:
        text = " ".join("".join(self._line).split())
        if text:
            self.lines.append(text)
        self._line = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._flush_line()
        if tag in {"script", "style", "noscript", "template"}:
            self._drop += 1
        elif tag == "table":
            self._stack.append(([], {}))
            self.titles.append(self._last_heading)
            self.merged.append(0)
        elif tag == "tr" and self._stack:
            self._stack[-1][0].append([])
        elif tag in {"td", "th"} and self._stack:
            values = dict(attrs)
            self._cell = []
            self._span = (_span(values.get("rowspan")), _span(values.get("colspan")))
        elif tag in {"h1", "h2", "h3", "h4", "caption", "title"}:
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self._flush_line()
        if tag in {"script", "style", "noscript", "template"}:
            self._drop = max(0, self._drop - 1)
        elif tag in {"td", "th"} and self._stack and self._cell is not None:
            self._close_cell()
        elif tag == "table" and self._stack:
            rows, _ = self._stack.pop()
            self.tables.append([r for r in rows if any(c.strip() for c in r)])
        elif tag in {"h1", "h2", "h3", "h4", "caption", "title"} and self._heading is not None:
            self._last_heading = "".join(self._heading).strip() or self._last_heading
            self.headings.append(self._last_heading)
            if tag == "caption" and self.titles:
                self.titles[-1] = self._last_heading
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._drop:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif not self._stack:
            self._line.append(data)
        if self._heading is not None:
            self._heading.append(data)

    def _close_cell(self) -> None:
        rows, pending = self._stack[-1]
        if not rows:
            rows.append([])
        row, r_index = rows[-1], len(rows) - 1
        while (r_index, len(row)) in pending:
            row.append(pending.pop((r_index, len(row))))
        text = " ".join("".join(self._cell or []).split())
        rowspan, colspan = self._span
        if rowspan > 1 or colspan > 1:
            self.merged[-1] += 1
        col = len(row)
        for c in range(colspan):
            row.append(text)
            for r in range(1, rowspan):
                pending[(r_index + r, col + c)] = text
        self._cell = None


_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "tr", "dt", "dd", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6", "table"}
)
_KEY_VALUE = re.compile(r"^\s*([^：:]{1,20}?)\s*[：:]\s*(.*)$")


def key_value_records(lines: Sequence[str]) -> list[list[tuple[str, str]]]:
    """Blocks of "key：value" lines whose keys are list columns ("SDK名称：…", "所属公司：…", …): one record per
    block; a record ends where a column it already has starts again."""
    records: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    roles: set[str] = set()
    for line in lines:
        match = _KEY_VALUE.match(line)
        role = match_role(match.group(1)) if match else None
        if match is None or role is None:
            continue
        if role in roles:
            records.append(current)
            current, roles = [], set()
        current.append((match.group(1).strip(), match.group(2).strip()))
        roles.add(role)
    if current:
        records.append(current)
    return [r for r in records if len({match_role(k) for k, _ in r}) >= MIN_HEADER_ROLES]


def records_to_rows(records: Sequence[Sequence[tuple[str, str]]]) -> list[list[str]]:
    """Key–value records as a header row (keys in first-seen order) plus one row per record."""
    header: list[str] = []
    for record in records:
        header.extend(k for k, _ in record if k not in header)
    return [header] + [[dict(record).get(k, "") for k in header] for record in records]


def _span(value: str | None) -> int:
    try:
        return max(1, min(50, int(value or "1")))
    except ValueError:
        return 1


def _find_header(rows: list[list[str]]) -> int | None:
    for i, row in enumerate(rows[:5]):
        taken: set[str] = set()
        for cell in row:
            role = match_role(cell, taken)
            if role:
                taken.add(role)
        if len(taken) >= MIN_HEADER_ROLES:
            return i
    return None


def table_to_list(
    rows: Sequence[Sequence[str]], source: str, title: str | None = None, kind: ListKind | None = None
) -> PiList:
    """A header row (found among the first five) plus data rows → `PiList`; problems are recorded, not raised."""
    grid = [[normalize_text(str(c or "")) for c in r] for r in rows]
    problems: list[str] = []
    header_at = _find_header(grid)
    if header_at is None:
        first = " | ".join(grid[0]) if grid else "(empty)"
        return PiList(
            kind=kind or guess_kind([], title),
            source=source,
            title=title,
            problems=[
                f"{source}: no header row with at least {MIN_HEADER_ROLES} known columns (first row: {first[:120]})"
            ],
        )
    header = grid[header_at]
    roles = assign_roles(header)
    unmatched = [cell for col, cell in enumerate(header) if col not in roles and cell.strip()]
    out_rows: list[ListRow] = []
    rejected: list[int] = []
    for offset, raw in enumerate(grid[header_at + 1 :], start=1):
        if offset > MAX_ROWS:
            problems.append(f"{source}: more than {MAX_ROWS} rows; the rest was not read")
            break
        if raw == header:
            continue
        if len(raw) != len(header):
            problems.append(f"{source}: row {offset}: {len(raw)} cells, header has {len(header)}")
        cells = {roles[c]: v.strip() for c, v in enumerate(raw) if c in roles and v.strip()}
        if not cells:
            if any(v.strip() for v in raw):
                rejected.append(offset)
                problems.append(
                    f"{source}: row {offset}: no value under a known column; row not read ({' | '.join(raw)[:80]})"
                )
            continue
        categories = categories_in(cells.get("pi_types", ""))
        if cells.get("pi_types") and not categories:
            label = header[next(c for c, r in roles.items() if r == "pi_types")]
            problems.append(
                f"{source}: row {offset}: {label} “{cells['pi_types'][:60]}” names no known PI category (kept; "
                "not counted in the cross-checks)"
            )
        out_rows.append(ListRow(row=offset, cells=cells, pi_categories=categories))
    return PiList(
        kind=kind or guess_kind(header, title),
        source=source,
        title=title,
        headers={roles[c]: header[c] for c in sorted(roles)},
        unmatched_headers=unmatched,
        rows=out_rows,
        problems=problems,
        rejected_rows=rejected,
    )


def parse_html(text: str, source: str, kind: ListKind | None = None) -> list[PiList]:
    """Every table of an HTML page that looks like one of the two lists."""
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    out: list[PiList] = []
    for i, table in enumerate(parser.tables):
        parsed = table_to_list(table, f"{source}#table{i + 1}", parser.titles[i] or None, kind)
        if parser.merged[i]:
            parsed = parsed.model_copy(
                update={
                    "problems": [*parsed.problems, f"{source}#table{i + 1}: {parser.merged[i]} merged cells filled"]
                }
            )
        out.append(parsed)
    if not any(p.rows for p in out):
        parser._flush_line()
        records = key_value_records(parser.lines)
        if records:
            title = next((h for h in parser.headings if "清单" in h or "目录" in h or "sdk" in h.lower()), None)
            parsed = table_to_list(records_to_rows(records), f"{source}#blocks", title, kind)
            note = f"{source}: no list table; read {len(records)} key–value blocks (SDK-card layout)"
            return [parsed.model_copy(update={"problems": [*parsed.problems, note]})]
    if not out:
        out.append(PiList(kind=kind or "collected", source=source, problems=[f"{source}: no <table> found"]))
    return out


def parse_csv(text: str, source: str, kind: ListKind | None = None) -> list[PiList]:
    """A CSV (comma, tab or semicolon separated)."""
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",\t;").delimiter
    except csv.Error:
        delimiter = ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return [table_to_list(rows, source, None, kind)]


def parse_json(text: str, source: str, kind: ListKind | None = None) -> list[PiList]:
    """A JSON array of objects (keys are headers), or `{"title":..., "rows": [...]}`."""
    from ganzhi.collect.bounded import parse_json as parse_bounded_json

    value = parse_bounded_json(text, source)
    title = value.get("title") if isinstance(value, dict) else None
    items = value.get("rows") if isinstance(value, dict) else value
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise InputError(source, "expected a JSON array of objects, or an object with a 'rows' array")
    headers: list[str] = []
    for item in items:
        headers.extend(k for k in item if k not in headers)
    rows = [headers] + [[_cell(item.get(h)) for h in headers] for item in items]
    return [table_to_list(rows, source, title if isinstance(title, str) else None, kind)]


def _cell(value: object) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return "" if value is None else str(value)


def parse_xlsx(data: bytes, source: str, kind: ListKind | None = None) -> list[PiList]:
    """Every sheet of a workbook, read within the shared limits (`collect.bounded.read_xlsx`: archive, part,
    row and cell bounds), values only; merged ranges filled from their top-left cell and reported."""
    from ganzhi.collect.bounded import read_xlsx

    out: list[PiList] = []
    for sheet in read_xlsx(data, source, max_rows=MAX_ROWS + 5):
        sheet.fill_merges()
        grid = [[_cell(c) for c in row] for row in sheet.rows]
        parsed = table_to_list(grid, f"{source}#{sheet.title}", sheet.title, kind)
        if sheet.merges:
            note = f"{source}#{sheet.title}: {len(sheet.merges)} merged ranges filled"
            parsed = parsed.model_copy(update={"problems": [*parsed.problems, note]})
        out.append(parsed)
    return out


def parse_list_bytes(data: bytes, source: str, kind: ListKind | None = None) -> list[PiList]:
    """Dispatch on content: XLSX (zip), JSON, HTML or CSV; any library failure is an InputError naming the file."""
    from ganzhi.collect.bounded import guard

    with guard(source):
        return _parse_list_bytes(data, source, kind)


def _parse_list_bytes(data: bytes, source: str, kind: ListKind | None) -> list[PiList]:
    if len(data) > MAX_BYTES:
        raise InputError(source, f"list file is {len(data)} bytes; the limit is {MAX_BYTES} bytes (10 MB)")
    if not data.strip():
        raise InputError(source, "list file is empty")
    if data.startswith(b"PK\x03\x04"):
        return parse_xlsx(data, source, kind)
    text = decode_bytes(data, source)
    head = text.lstrip()[:1]
    if head in {"[", "{"}:
        return parse_json(text, source, kind)
    if "<table" in text.lower() or source.lower().endswith((".html", ".htm")):
        return parse_html(text, source, kind)
    return parse_csv(text, source, kind)


def row_counts(parsed: Sequence[PiList]) -> tuple[int, int, int]:
    """(rows accepted, rows rejected, warnings) over the lists read from one file; every problem that is not a
    rejected row (a short row, an unknown PI category, merged cells filled, a table without a header) is a
    warning."""
    accepted = sum(len(item.rows) for item in parsed)
    rejected = sum(len(item.rejected_rows) for item in parsed)
    return accepted, rejected, sum(len(item.problems) for item in parsed) - rejected


def parse_list_file(path: Path, kind: ListKind | None = None) -> list[PiList]:
    """Read and parse one list file."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(str(path), f"list file is {path.stat().st_size} bytes; the limit is {MAX_BYTES} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    return parse_list_bytes(data, str(path), kind)
