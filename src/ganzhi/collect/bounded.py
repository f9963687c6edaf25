"""Bounded decompression and parsing of outside files: limits checked while streaming, failures as `InputError`.

A collector that reads an outside file (a ZIP-based office document, XML, JSON, an image, a PDF) goes
through these helpers so a hostile or damaged input costs at most the limits below, never a traceback:

- ZIP members are read through `ZipFile.open()` in chunks; the declared size (`ZipInfo.file_size`) AND the
  bytes actually inflated are checked against the limit, and reading stops at the limit;
- XML is parsed with defusedxml (no DTDs, no entities) while depth and element counts are checked per event;
- JSON is parsed strictly; nesting deeper than the interpreter allows becomes an error, so does a huge number;
- images are measured from the header (Pillow's lazy `open`) before any pixel is decoded; Pillow's own
  decompression-bomb check becomes our error;
- XLSX is streamed with openpyxl in read-only mode; rows, cells and characters are counted while iterating,
  before anything large is built; merged ranges are read from the sheet XML with the bounded XML parser;
- PDF streams are decoded under pypdf's configuration limits, set from ours.

`guard(source, part)` is the one boundary: any library exception inside it becomes
`InputError(source, "<part>: <problem>")`; a `GanzhiError` raised on purpose passes unchanged.
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol
from xml.etree.ElementTree import Element

from ganzhi.errors import GanzhiError, InputError

_MIB = 1024 * 1024
_CHUNK = 1 * _MIB


@dataclass(frozen=True, slots=True)
class Limits:
    """What one outside file may cost. Defaults fit the 512 MB peak-RSS budget of one collector run.

    Each default is the largest value a legitimate input of ganzhi's formats needs, with room to spare:
    a policy DOCX's `document.xml` is a few MB, a 50 000-plan tariff workbook's sheet XML about 100 MB,
    a 4K phone screenshot 10 megapixels.
    """

    #: Uncompressed bytes of one archive member that a library loads whole (styles, shared strings, DOCX body).
    max_part_bytes: int = 32 * _MIB
    #: Uncompressed bytes of one streamed worksheet (openpyxl read-only reads it row by row).
    max_sheet_bytes: int = 256 * _MIB
    #: Uncompressed bytes of all members of one archive together.
    max_total_bytes: int = 512 * _MIB
    #: Members of one archive (an XLSX has about ten; thousands mean something is wrong).
    max_members: int = 10_000
    #: Compressed-to-uncompressed ratio above which a member counts as a bomb (office XML compresses ~10-20×).
    max_ratio: int = 1_000
    #: Nesting depth of XML elements (uiautomator dumps nest ~60 deep; libxml2's own default is 256).
    max_xml_depth: int = 256
    #: XML elements in one document (a 20 000-node hierarchy, a DOCX of ~1 000 pages; a streamed
    #: worksheet counts its cells, so `max_sheet_bytes` bounds it instead).
    max_xml_elements: int = 2_000_000
    #: Characters of one XML text run (parsers build one string per run: a 300 MB run is a bomb).
    max_xml_text_chars: int = 1_000_000
    #: Bytes of one JSON document.
    max_json_bytes: int = 64 * _MIB
    #: Pixels of one image (40 MP; a 4K phone screenshot is about 10 MP). Decoded RGB is at most 120 MB.
    max_pixels: int = 40_000_000
    #: Width or height of one image in pixels.
    max_image_side: int = 20_000
    #: Rows of one worksheet (tariff catalogues and lists stay far below).
    max_rows: int = 1_000_000
    #: Cells kept from one workbook (two million Python objects ≈ 150 MB).
    max_cells: int = 2_000_000
    #: Characters in one cell (Excel's own limit is 32 767).
    max_cell_chars: int = 32_767
    #: Characters of text kept from one file (workbook cells, PDF or DOCX text).
    max_chars: int = 32_000_000
    #: PDF pages read.
    max_pdf_pages: int = 300
    #: Decoded bytes of one PDF stream.
    max_pdf_stream_bytes: int = 32 * _MIB
    #: Wall-clock seconds for one file, checked between rows, elements, members and pages.
    max_seconds: float = 60.0


DEFAULT_LIMITS = Limits()


# --------------------------------------------------------------------------------------------------- boundary


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@contextmanager
def guard(source: str, part: str | None = None, *, what: str = "cannot read the file") -> Iterator[None]:
    """Turn any exception from a library into `InputError(source, "[part: ]what (Type: message)")`.

    `GanzhiError` (raised on purpose, already naming the input) passes unchanged. `MemoryError` is
    turned into an error as well: the run goes on with the next input.
    """
    try:
        yield
    except GanzhiError:
        raise
    except (Exception, MemoryError) as exc:  # the boundary: every library failure becomes an input error
        where = f"{part}: " if part else ""
        raise InputError(source, f"{where}{what} ({_describe(exc)})") from None


class Deadline:
    """A wall-clock budget for one file; `check()` raises `InputError` once it is spent."""

    def __init__(self, source: str, seconds: float) -> None:
        self.source = source
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def check(self, where: str = "") -> None:
        if time.monotonic() > self._end:
            place = f"{where}: " if where else ""
            raise InputError(self.source, f"{place}reading took more than {self.seconds:g} s; stopped")


# --------------------------------------------------------------------------------------------------------- ZIP


def open_zip(
    file: Path | bytes | IO[bytes], source: str, *, what: str = "not a readable ZIP archive"
) -> zipfile.ZipFile:
    """A `ZipFile` over a path, bytes or stream; `InputError` (starting with `what`) when it cannot be opened."""
    target: Path | IO[bytes] = io.BytesIO(file) if isinstance(file, bytes | bytearray) else file
    with guard(source, what=what):
        return zipfile.ZipFile(target)


def _member_problem(info: zipfile.ZipInfo, limit: int, limits: Limits) -> str | None:
    if info.flag_bits & 0x1:
        return f"{info.filename}: member is encrypted"
    if info.file_size > limit:
        return f"{info.filename}: declares {info.file_size} uncompressed bytes; at most {limit} are read"
    if info.compress_size and info.file_size / info.compress_size > limits.max_ratio and info.file_size > _MIB:
        ratio = info.file_size // info.compress_size
        return f"{info.filename}: compression ratio {ratio}:1 above {limits.max_ratio}:1 (a decompression bomb)"
    return None


def iter_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    source: str,
    *,
    limit: int,
    limits: Limits = DEFAULT_LIMITS,
    deadline: Deadline | None = None,
) -> Iterator[bytes]:
    """Chunks of one member, inflated through `ZipFile.open()`; stops with `InputError` past `limit` bytes."""
    problem = _member_problem(info, limit, limits)
    if problem:
        raise InputError(source, problem)
    total = 0
    with guard(source, info.filename, what="cannot inflate the member"), archive.open(info) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                return
            total += len(chunk)
            if total > limit:
                raise InputError(source, f"{info.filename}: inflates past {limit} bytes; stopped reading")
            if deadline is not None:
                deadline.check(info.filename)
            yield chunk


def read_member(
    archive: zipfile.ZipFile,
    name: str | zipfile.ZipInfo,
    source: str,
    *,
    limit: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    deadline: Deadline | None = None,
) -> bytes:
    """The inflated bytes of one member, at most `limit` (default `limits.max_part_bytes`)."""
    with guard(source, str(name), what="missing member"):
        info = name if isinstance(name, zipfile.ZipInfo) else archive.getinfo(name)
    bound = limits.max_part_bytes if limit is None else limit
    return b"".join(iter_member(archive, info, source, limit=bound, limits=limits, deadline=deadline))


def check_archive(
    archive: zipfile.ZipFile,
    source: str,
    *,
    limits: Limits = DEFAULT_LIMITS,
    streamed: tuple[str, ...] = (),
    deadline: Deadline | None = None,
    xml_parts: bool = True,
) -> list[zipfile.ZipInfo]:
    """Check every member: count, declared sizes, then the bytes actually inflated (and CRCs), in chunks.

    Members whose name starts with one of `streamed` (e.g. `xl/worksheets/`) may reach `max_sheet_bytes`,
    all others `max_part_bytes`. Nothing is kept: this proves that a library reading the archive later
    sees at most these sizes (Python's zipfile never returns more than `file_size`). With `xml_parts`, every
    `.xml`/`.rels` member is also scanned with `scan_xml` (no DTD, bounded depth and text runs; streamed
    members are bounded in elements by their byte limit only).
    """
    with guard(source, what="not a readable ZIP archive"):
        infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise InputError(source, f"archive has {len(infos)} members; at most {limits.max_members} are read")
    declared = 0
    for info in infos:
        limit = limits.max_sheet_bytes if info.filename.startswith(streamed) and streamed else limits.max_part_bytes
        problem = _member_problem(info, limit, limits)
        if problem:
            raise InputError(source, problem)
        declared += info.file_size
    if declared > limits.max_total_bytes:
        raise InputError(source, f"members declare {declared} bytes in all; at most {limits.max_total_bytes}")
    clock = deadline or Deadline(source, limits.max_seconds)
    for info in infos:
        if info.is_dir():
            continue
        is_streamed = bool(streamed) and info.filename.startswith(streamed)
        limit = limits.max_sheet_bytes if is_streamed else limits.max_part_bytes
        chunks = iter_member(archive, info, source, limit=limit, limits=limits, deadline=clock)
        if xml_parts and info.filename.lower().endswith((".xml", ".rels")) and info.file_size:
            # well-formed, no DTD, bounded depth and text runs: what the library parses later cannot explode
            scan_xml(
                _ChunkReader(chunks), source, info.filename, limits=limits, max_elements=limit if is_streamed else None
            )
        else:
            for _ in chunks:
                pass
    return infos


# --------------------------------------------------------------------------------------------------------- XML


def _xml_events(data: bytes | IO[bytes], source: str, part: str, limits: Limits) -> Iterator[tuple[str, Element]]:
    import defusedxml.ElementTree as safe_et

    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    depth = elements = 0
    clock = Deadline(source, limits.max_seconds)
    with guard(source, part, what="not well-formed XML"):
        for event, element in safe_et.iterparse(stream, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                depth += 1
                elements += 1
                if depth > limits.max_xml_depth:
                    raise InputError(source, f"{part}: XML nested deeper than {limits.max_xml_depth} elements")
                if elements > limits.max_xml_elements:
                    raise InputError(source, f"{part}: more than {limits.max_xml_elements} XML elements")
                if not elements % 10_000:
                    clock.check(part)
            else:
                depth -= 1
            yield event, element


def parse_xml(data: bytes | IO[bytes], source: str, part: str = "XML", *, limits: Limits = DEFAULT_LIMITS) -> Element:
    """The root element of a bounded, defused XML document; `InputError` names the part and the problem."""
    if isinstance(data, bytes | bytearray) and len(data) > limits.max_part_bytes:
        raise InputError(source, f"{part}: {len(data)} bytes; at most {limits.max_part_bytes} are parsed")
    root: Element | None = None
    for event, element in _xml_events(data, source, part, limits):
        if root is None and event == "start":
            root = element
    if root is None:
        raise InputError(source, f"{part}: no XML element")
    return root


class _Refused(Exception):
    """Raised from an expat handler to stop a document that declares a DTD or an entity."""


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def scan_xml(
    data: bytes | _Readable,
    source: str,
    part: str = "XML",
    *,
    limits: Limits = DEFAULT_LIMITS,
    on_start: Callable[[str, dict[str, str]], None] | None = None,
    max_elements: int | None = None,
) -> int:
    """Check well-formedness, depth and element count with expat, keeping no tree; returns the element count.

    DTDs and entity declarations are refused (as defusedxml does); `on_start(local_name, attributes)` sees
    every element, so a caller can pick a few (e.g. merged ranges) out of a large streamed part.
    """
    from xml.parsers import expat

    stream: _Readable = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    parser = expat.ParserCreate()
    parser.buffer_text = True
    depth = elements = text = 0
    most = limits.max_xml_elements if max_elements is None else max_elements
    clock = Deadline(source, limits.max_seconds)

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, elements, text
        depth += 1
        elements += 1
        text = 0
        if depth > limits.max_xml_depth:
            raise InputError(source, f"{part}: XML nested deeper than {limits.max_xml_depth} elements")
        if elements > most:
            raise InputError(source, f"{part}: more than {most} XML elements")
        if on_start is not None:
            on_start(xml_local(name), attrs)

    def end(name: str) -> None:
        nonlocal depth, text
        depth -= 1
        text = 0

    def characters(data: str) -> None:
        nonlocal text
        text += len(data)
        if text > limits.max_xml_text_chars:
            raise InputError(source, f"{part}: an XML text run longer than {limits.max_xml_text_chars} characters")

    def refuse(*_: object) -> int:
        raise _Refused("DTDs and entity declarations are not allowed")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    with guard(source, part, what="not well-formed XML"):
        while True:
            chunk = stream.read(256 * 1024)
            parser.Parse(chunk, not chunk)
            if not chunk:
                break
            clock.check(part)
    if elements == 0:
        raise InputError(source, f"{part}: no XML element")
    return elements


def xml_local(tag: str) -> str:
    """`{namespace}name` → `name`."""
    return tag.rsplit("}", 1)[-1]


# -------------------------------------------------------------------------------------------------------- JSON


def parse_json(
    data: bytes | str, source: str, part: str | None = None, *, limits: Limits = DEFAULT_LIMITS, strict: bool = True
) -> Any:
    """A JSON document, bounded in bytes; nesting, huge numbers, NaN and duplicate keys become `InputError`."""
    from ganzhi.collect.jsonl import parse_json_strict

    size = len(data)
    where = f"{part}: " if part else ""
    if size > limits.max_json_bytes:
        raise InputError(source, f"{where}JSON is {size} bytes; at most {limits.max_json_bytes} are parsed")
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(source, f"{where}not UTF-8 text (byte {exc.start})") from None
    else:
        text = data
    with guard(source, part, what="not valid JSON"):
        try:
            return parse_json_strict(text) if strict else json.loads(text)
        except ValueError as exc:
            raise InputError(source, f"{where}{exc}") from None
        except RecursionError:
            raise InputError(source, f"{where}not valid JSON: nested too deeply") from None


# ------------------------------------------------------------------------------------------------------ images


def image_header(data: bytes, source: str, *, limits: Limits = DEFAULT_LIMITS) -> tuple[str, int, int]:
    """(format, width, height) from the header only; `InputError` for unreadable, empty or oversized images.

    Pillow's decompression-bomb check (`Image.MAX_IMAGE_PIXELS`) is raised to our limit while the header is
    read, so the 2×-limit `DecompressionBombError` never escapes: our own pixel check decides first.
    """
    from PIL import Image

    with guard(source, what="not a readable image"):
        previous = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None  # the header is measured below; nothing is decoded here
        try:
            with Image.open(io.BytesIO(data)) as image:
                fmt, (width, height) = image.format or "?", image.size
        finally:
            Image.MAX_IMAGE_PIXELS = previous
    check_pixels(width, height, source, limits=limits)
    return fmt, width, height


def check_pixels(width: int, height: int, source: str, *, limits: Limits = DEFAULT_LIMITS) -> None:
    """`InputError` unless both sides are positive, at most `max_image_side`, and the area at most `max_pixels`."""
    if width <= 0 or height <= 0:
        raise InputError(source, f"image is {width}×{height}; both sides must be > 0")
    if max(width, height) > limits.max_image_side:
        raise InputError(source, f"image is {width}×{height}; each side at most {limits.max_image_side} pixels")
    if width * height > limits.max_pixels:
        raise InputError(
            source, f"image is {width}×{height} = {width * height} pixels, above {limits.max_pixels}; not decoded"
        )


# -------------------------------------------------------------------------------------------------------- XLSX


@dataclass(slots=True)
class XlsxSheet:
    """One worksheet read within limits: its rows (values) and merged ranges (1-based, inclusive)."""

    title: str
    rows: list[list[object]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    def fill_merges(self, max_columns: int | None = None) -> None:
        """Give every cell of a merged range the value of its top-left cell (rows are padded as needed)."""
        for min_row, min_col, max_row, max_col in self.merges:
            if min_row > len(self.rows):
                continue
            last_col = max_col if max_columns is None else min(max_col, max_columns)
            if min_col > last_col:
                continue
            top_row = self.rows[min_row - 1]
            top_left = top_row[min_col - 1] if min_col - 1 < len(top_row) else None
            for r in range(min_row, min(max_row, len(self.rows)) + 1):
                row = self.rows[r - 1]
                if len(row) < last_col:
                    row.extend([None] * (last_col - len(row)))
                for c in range(min_col, last_col + 1):
                    row[c - 1] = top_left


_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def _cell_ref(ref: str) -> tuple[int, int] | None:
    match = _CELL_REF.match(ref.strip())
    if match is None:
        return None
    col = 0
    for letter in match.group(1).upper():
        col = col * 26 + ord(letter) - 64
    row = int(match.group(2))
    return (row, col) if row >= 1 and col >= 1 else None


def _merges(archive: zipfile.ZipFile, sheet_path: str, source: str, limits: Limits) -> list[tuple[int, int, int, int]]:
    """Merged ranges of one worksheet (`<mergeCell ref="A1:D1"/>`), streamed through the bounded XML scanner."""
    name = sheet_path.lstrip("/")
    with guard(source, name, what="missing worksheet"):
        info = archive.getinfo(name)
    found: list[tuple[int, int, int, int]] = []

    def pick(tag: str, attrs: dict[str, str]) -> None:
        if tag != "mergeCell":
            return
        ref = attrs.get("ref") or ""
        first, _, last = ref.partition(":")
        start, end = _cell_ref(first), _cell_ref(last or first)
        if start is None or end is None:
            raise InputError(source, f"{name}: merged range {ref[:40]!r} is not like A1:D3")
        found.append((min(start[0], end[0]), min(start[1], end[1]), max(start[0], end[0]), max(start[1], end[1])))
        if len(found) > limits.max_cells:
            raise InputError(source, f"{name}: more than {limits.max_cells} merged ranges")

    chunks = iter_member(archive, info, source, limit=limits.max_sheet_bytes, limits=limits)
    scan_xml(_ChunkReader(chunks), source, name, limits=limits, on_start=pick)
    return found


class _ChunkReader(io.RawIOBase):
    """A readable stream over an iterator of byte chunks (a bounded zip member)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while not self._buffer:
            chunk = next(self._chunks, None)
            if chunk is None:
                return b""
            self._buffer = chunk
        take = len(self._buffer) if size < 0 else size
        out, self._buffer = self._buffer[:take], self._buffer[take:]
        return out


class _Counter:
    """Rows, cells and characters of one workbook, checked as they stream."""

    def __init__(self, source: str, limits: Limits, max_rows: int, *, kept: bool = True) -> None:
        self.kept = kept  # streamed rows are not kept: only per-row limits apply
        self.source = source
        self.limits = limits
        self.max_rows = max_rows
        self.cells = 0
        self.chars = 0
        self.deadline = Deadline(source, limits.max_seconds)

    def row(self, title: str, number: int, values: tuple[object, ...]) -> None:
        if number > self.max_rows:
            raise InputError(self.source, f"sheet {title}: more than {self.max_rows} rows; split the file")
        self.cells += len(values) if self.kept else 0
        if self.cells > self.limits.max_cells:
            raise InputError(self.source, f"sheet {title}, row {number}: more than {self.limits.max_cells} cells")
        for value in values:
            if isinstance(value, str):
                if len(value) > self.limits.max_cell_chars:
                    raise InputError(
                        self.source,
                        f"sheet {title}, row {number}: a cell of {len(value)} characters; "
                        f"at most {self.limits.max_cell_chars}",
                    )
                self.chars += len(value) if self.kept else 0
        if len(values) > self.limits.max_cells or self.chars > self.limits.max_chars:
            raise InputError(self.source, f"sheet {title}, row {number}: more than {self.limits.max_chars} characters")
        if not number % 500:
            self.deadline.check(f"sheet {title}, row {number}")


@contextmanager
def open_xlsx(
    file: Path | bytes, source: str, *, limits: Limits = DEFAULT_LIMITS
) -> Iterator[tuple[Any, zipfile.ZipFile]]:
    """(openpyxl read-only workbook, its ZipFile) after `check_archive`; closed on exit; errors → `InputError`."""
    from openpyxl import load_workbook

    archive = open_zip(file, source, what="not a readable XLSX workbook")
    try:
        check_archive(archive, source, limits=limits, streamed=("xl/worksheets/",))
        with guard(source, what="not a readable XLSX workbook"):
            book = load_workbook(io.BytesIO(file) if isinstance(file, bytes) else file, read_only=True, data_only=True)
        try:
            yield book, archive
        finally:
            book.close()
    finally:
        archive.close()


def iter_xlsx_rows(
    file: Path | bytes,
    source: str,
    *,
    limits: Limits = DEFAULT_LIMITS,
    max_rows: int | None = None,
    max_columns: int | None = None,
    first_sheet_only: bool = False,
) -> Iterator[tuple[str, int, tuple[object, ...]]]:
    """(sheet title, 1-based row number, values) streamed from a workbook, every limit checked per row.

    Rows are not kept, so the workbook-wide cell and character totals do not apply; rows, characters
    per cell, part sizes and `max_seconds` do.
    """
    counter = _Counter(source, limits, limits.max_rows if max_rows is None else max_rows, kept=False)
    with open_xlsx(file, source, limits=limits) as (book, _archive):
        with guard(source, what="not a readable XLSX workbook"):
            worksheets = list(book.worksheets)
        for ws in worksheets[:1] if first_sheet_only else worksheets:
            title = str(ws.title)
            with guard(source, f"sheet {title}", what="cannot read the worksheet"):
                for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    row = tuple(values[:max_columns] if max_columns is not None else values)
                    counter.row(title, number, row)
                    yield title, number, row


def read_xlsx(
    file: Path | bytes,
    source: str,
    *,
    limits: Limits = DEFAULT_LIMITS,
    max_rows: int | None = None,
    max_columns: int | None = None,
    merges: bool = True,
) -> list[XlsxSheet]:
    """Every worksheet's rows (trailing empty rows dropped) and merged ranges, within `limits`.

    For `collect/lists/parse.py`: `read_xlsx(data, source, max_rows=MAX_ROWS + 5)` then
    `sheet.fill_merges()` on each sheet replaces `load_workbook(..., read_only=False)`.
    """
    counter = _Counter(source, limits, limits.max_rows if max_rows is None else max_rows)
    sheets: list[XlsxSheet] = []
    with open_xlsx(file, source, limits=limits) as (book, archive):
        with guard(source, what="not a readable XLSX workbook"):
            worksheets = list(book.worksheets)
        for ws in worksheets:
            title = str(ws.title)
            rows: list[list[object]] = []
            with guard(source, f"sheet {title}", what="cannot read the worksheet"):
                for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    row = list(values[:max_columns] if max_columns is not None else values)
                    counter.row(title, number, tuple(row))
                    rows.append(row)
            while rows and all(v is None for v in rows[-1]):
                rows.pop()
            sheet = XlsxSheet(title=title, rows=rows)
            path = getattr(ws, "_worksheet_path", None)
            if merges and isinstance(path, str):
                sheet.merges = _merges(archive, path, source, limits)
            sheets.append(sheet)
    return sheets


# ----------------------------------------------------------------------------------------------- DOCX and PDF


def check_docx(data: bytes, source: str, *, limits: Limits = DEFAULT_LIMITS) -> None:
    """Check a DOCX before python-docx loads it: member sizes (declared and inflated), then the body's XML."""
    archive = open_zip(data, source, what="not a readable DOCX")
    with archive:
        check_archive(archive, source, limits=limits)
        if "word/document.xml" not in set(archive.namelist()):
            raise InputError(source, "not a DOCX document: word/document.xml is missing")


def pdf_limits(limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """pypdf configuration overrides (for `pypdf.apply_configuration(**pdf_limits())`) derived from `limits`."""
    stream = limits.max_pdf_stream_bytes
    return {
        "maximum_declared_stream_length": stream,
        "array_based_stream_maximum_output_length": stream,
        "jbig2_maximum_output_length": stream,
        "lzw_maximum_output_length": stream,
        "run_length_maximum_output_length": stream,
        "zlib_maximum_output_length": stream,
        "brotli_maximum_output_length": stream,
        "image_maximum_buffer_size": stream,
        "stream_decoding_work_maximum_length": 4 * stream,
        "jbig2dec_binary": None,
    }
