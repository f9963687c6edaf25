"""Bounded decompression and parsing: the security review's inputs become `InputError`s, fast and small."""

from __future__ import annotations

import io
import json
import struct
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import Workbook

from ganzhi.collect.bounded import (
    DEFAULT_LIMITS,
    check_archive,
    image_header,
    iter_xlsx_rows,
    parse_json,
    parse_xml,
    read_member,
    read_xlsx,
    scan_xml,
)
from ganzhi.collect.policy.ingest import read_policy_bytes
from ganzhi.collect.tariff.readers import read_sheets
from ganzhi.collect.ui.hierarchy import parse_gkd
from ganzhi.collect.ui.image import ImageError, image_size, load_rgb
from ganzhi.collect.ui.importers import import_gkd, import_screenshots
from ganzhi.errors import InputError


def _rezip(data: bytes, replace_member: dict[str, Callable[[zipfile.ZipFile, str], None]]) -> bytes:
    """Copy an archive, writing the named members with the given writers instead."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
    ):
        for info in src.infolist():
            if info.filename in replace_member:
                replace_member[info.filename](dst, info.filename)
            else:
                dst.writestr(info.filename, src.read(info))
    return out.getvalue()


def _stream_member(chunks: Callable[[], list[bytes] | object]) -> Callable[[zipfile.ZipFile, str], None]:
    def write(dst: zipfile.ZipFile, name: str) -> None:
        with dst.open(name, "w", force_zip64=True) as member:
            for chunk in chunks():  # type: ignore[attr-defined]
                member.write(chunk)

    return write


def _workbook(rows: list[list[object]], merges: tuple[str, ...] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for ref in merges:
        sheet.merge_cells(ref)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("隐私政策", level=1)
    document.add_paragraph("我们收集您的手机号码用于注册账号。")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _measure(work: Callable[[], object]) -> tuple[float, float]:
    """(seconds, peak traced MiB) of `work`, which must raise InputError."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(InputError):
            work()
        return time.perf_counter() - started, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_docx_bomb_is_refused_by_inflated_size_quickly() -> None:
    """The review's DOCX: a small file whose document.xml inflates far past the limit (here 200 MB)."""
    body = [b"<w:document>"] + [b" " * (1 << 20)] * 200
    data = _rezip(_docx(), {"word/document.xml": _stream_member(lambda: body)})
    assert len(data) < 2_000_000
    seconds, peak = _measure(lambda: read_policy_bytes(data, "bomb.docx", "bomb.docx"))
    assert seconds < 5 and peak < 64, (seconds, peak)
    with pytest.raises(InputError, match=r"bomb.docx: .*word/document.xml.*(declares|ratio)"):
        read_policy_bytes(data, "bomb.docx", "bomb.docx")


def test_docx_with_declared_size_lying_small_still_stops_at_the_limit() -> None:
    """file_size patched to 10 bytes: the actual inflated count is checked (zipfile then fails the CRC)."""
    data = bytearray(
        _rezip(_docx(), {"word/document.xml": _stream_member(lambda: [b"<a>" + b" " * 5_000_000 + b"</a>"])})
    )
    at = data.find(b"PK\x01\x02", data.find(b"word/document.xml") - 60)
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_len]) == b"word/document.xml":
            struct.pack_into("<I", data, at + 24, 10)
            break
        at = data.find(b"PK\x01\x02", at + 4)
    with pytest.raises(InputError, match=r"word/document\.xml"):
        read_policy_bytes(bytes(data), "lying.docx", "lying.docx")


def test_docx_with_malformed_xml_part_names_the_part() -> None:
    data = _rezip(_docx(), {"word/styles.xml": lambda dst, name: dst.writestr(name, b"<w:styles><broken")})
    with pytest.raises(InputError, match=r"bad.docx: .*word/styles.xml.*not well-formed XML"):
        read_policy_bytes(data, "bad.docx", "bad.docx")


def test_xlsx_of_long_shared_strings_stops_at_the_character_limit(tmp_path: Path) -> None:
    """The review's XLSX (40k rows × 20 cells of 2 000 characters), here 5k rows of one shared 2 000-character
    string: 200 M characters if built, stopped at the 32 M-character limit while streaming."""
    seed = _workbook([["x" * 2000]])

    def sheet() -> object:
        yield b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        cells = "".join(f'<c r="{chr(65 + c)}{{r}}" t="s"><v>0</v></c>' for c in range(20))
        for r in range(1, 5_001):
            yield f'<row r="{r}">{cells.replace("{r}", str(r))}</row>'.encode()
        yield b"</sheetData></worksheet>"

    shared = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        b"<si><t>" + "长".encode() * 2000 + b"</t></si></sst>"
    )
    with zipfile.ZipFile(io.BytesIO(seed)) as archive:
        types = archive.read("[Content_Types].xml").replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        rels = archive.read("xl/_rels/workbook.xml.rels").replace(
            b"</Relationships>",
            b'<Relationship Id="rIdSst" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/sharedStrings"/></Relationships>',
        )

    def shared_part(dst: zipfile.ZipFile, name: str) -> None:
        dst.writestr(name, rels)
        dst.writestr("xl/sharedStrings.xml", shared)

    data = _rezip(
        seed,
        {
            "xl/worksheets/sheet1.xml": _stream_member(sheet),
            "[Content_Types].xml": lambda dst, name: dst.writestr(name, types),
            "xl/_rels/workbook.xml.rels": shared_part,
        },
    )
    path = tmp_path / "wide.xlsx"
    path.write_bytes(data)
    assert len(data) < 4_000_000
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"wide.xlsx: sheet Sheet, row \d+: more than 32000000 characters"):
        read_sheets(path)
    assert time.perf_counter() - started < 10


def test_xlsx_corrupt_deflate_and_unsupported_version_are_input_errors(tmp_path: Path) -> None:
    seed = _workbook([["方案编号", "方案名称"], ["P1", "畅享套餐"]])
    with zipfile.ZipFile(io.BytesIO(seed)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    corrupt = bytearray(seed)
    for offset in range(4, 12):
        corrupt[start + offset] ^= 0xFF
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(bytes(corrupt))
    with pytest.raises(InputError, match=r"corrupt.xlsx: xl/worksheets/sheet1.xml: cannot inflate the member"):
        read_sheets(path)
    version = bytearray(seed)
    at = version.find(b"PK\x01\x02")
    struct.pack_into("<H", version, at + 6, 99)
    path = tmp_path / "version.xlsx"
    path.write_bytes(bytes(version))
    with pytest.raises(InputError, match=r"version.xlsx: .*(NotImplementedError|version)"):
        read_sheets(path)


def test_xlsx_bad_merge_xml_is_an_input_error(tmp_path: Path) -> None:
    seed = _workbook([["a", "b"], ["c", "d"]], merges=("A1:B1",))
    with zipfile.ZipFile(io.BytesIO(seed)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    broken = sheet.replace(b'<mergeCell ref="A1:B1"/>', b'<mergeCell ref="A1:B1">')
    assert broken != sheet
    path = tmp_path / "merge.xlsx"
    path.write_bytes(_rezip(seed, {"xl/worksheets/sheet1.xml": lambda dst, name: dst.writestr(name, broken)}))
    with pytest.raises(InputError, match=r"merge.xlsx: xl/worksheets/sheet1.xml: not well-formed XML"):
        read_sheets(path)
    odd = sheet.replace(b'ref="A1:B1"', b'ref="A1:ZZZZ99"')
    path.write_bytes(_rezip(seed, {"xl/worksheets/sheet1.xml": lambda dst, name: dst.writestr(name, odd)}))
    with pytest.raises(InputError, match=r"merge.xlsx: .*A1:ZZZZ99"):
        read_sheets(path)


def test_xlsx_merges_are_filled_and_limits_apply_per_row() -> None:
    data = _workbook([["对应服务", None, None], ["语音", "流量", "短信"]], merges=("A1:C1",))
    (sheet,) = read_xlsx(data, "m.xlsx")
    sheet.fill_merges()
    assert sheet.rows[0] == ["对应服务", "对应服务", "对应服务"] and sheet.merges == [(1, 1, 1, 3)]
    with pytest.raises(InputError, match=r"m.xlsx: sheet Sheet: more than 1 rows"):
        list(iter_xlsx_rows(data, "m.xlsx", max_rows=1))
    with pytest.raises(InputError, match="a cell of 3000 characters; at most 100"):
        read_xlsx(_workbook([["x" * 3000]]), "c.xlsx", limits=replace(DEFAULT_LIMITS, max_cell_chars=100))


def test_png_declaring_20000_by_20000_is_refused_from_the_header(tmp_path: Path) -> None:
    """The review's PNG: a tiny file declaring 400 megapixels; no DecompressionBombError escapes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"\x00" * 60_000)) + chunk(b"IEND", b"")
    with pytest.raises(InputError, match=r"20000×20000 = 400000000 pixels, above 40000000"):
        image_header(png, "bomb.png")
    with pytest.raises(ImageError, match="above 40000000"):
        load_rgb(png)
    with pytest.raises(ImageError, match="above 40000000"):
        image_size(png)
    path = tmp_path / "bomb.png"
    path.write_bytes(png)
    with pytest.raises(InputError, match=r"bomb.png: image is 20000×20000"):
        import_screenshots([path], tmp_path / "out", package="com.a", density_dpi=440)


def test_gkd_snapshot_with_negative_screen_width_imports_without_a_validation_error(tmp_path: Path) -> None:
    doc = {"id": 1, "appId": "com.a", "screenWidth": -1, "screenHeight": 2400,
           "nodes": [{"id": 0, "pid": -1, "attr": {"left": 0, "top": 0, "right": 10, "bottom": 10}}]}  # fmt: skip
    assert parse_gkd(json.dumps(doc).encode()).screen is None
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    bundle = import_gkd([path], tmp_path / "out", density_dpi=440)
    assert bundle.manifest.device.screen_width_px == 1


def test_xml_depth_elements_and_dtd_are_bounded() -> None:
    limits = replace(DEFAULT_LIMITS, max_xml_depth=50, max_xml_elements=100)
    with pytest.raises(InputError, match="x: XML: XML nested deeper than 50 elements"):
        parse_xml(b"<a>" * 60 + b"</a>" * 60, "x", limits=limits)
    with pytest.raises(InputError, match="more than 100 XML elements"):
        scan_xml(b"<r>" + b"<a/>" * 200 + b"</r>", "x", limits=limits)
    with pytest.raises(InputError, match="not well-formed XML"):
        scan_xml(b'<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>', "x")
    with pytest.raises(InputError, match="not well-formed XML"):
        parse_xml(b'<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>', "x")
    assert parse_xml(b"<r><a/></r>", "x").tag == "r"


def test_json_nesting_huge_numbers_and_size_are_bounded() -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        parse_json(b"[" * 100_000, "j")
    with pytest.raises(InputError, match=r"j: .*(digits|limit)"):
        parse_json(b"9" * 5000, "j")
    with pytest.raises(InputError, match="at most 10 are parsed"):
        parse_json(b"[1, 2, 3, 4, 5]", "j", limits=replace(DEFAULT_LIMITS, max_json_bytes=10))
    assert parse_json(b'{"a": [1]}', "j") == {"a": [1]}


def test_zip_member_reading_stops_at_the_limit_and_checks_every_member() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", b"a" * 5000)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        assert read_member(archive, "a.txt", "z.zip", limit=5000) == b"a" * 5000
        with pytest.raises(InputError, match=r"z\.zip: a\.txt: declares 5000 uncompressed bytes; at most 100"):
            read_member(archive, "a.txt", "z.zip", limit=100)
        with pytest.raises(InputError, match=r"z\.zip: b\.txt: missing member"):
            read_member(archive, "b.txt", "z.zip")
        with pytest.raises(InputError, match="archive has 1 members; at most 0"):
            check_archive(archive, "z.zip", limits=replace(DEFAULT_LIMITS, max_members=0))
