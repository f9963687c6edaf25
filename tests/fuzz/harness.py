"""Fuzz targets for every importer and parser: seeds, mutations, and one run that classifies the outcome.

Shared by the short run in `make test` (`tests/fuzz/test_fuzz_importers.py`) and the long run
`python -m benchmarks.fuzz --minutes N`. A target reads one input file the way the CLI does; the outcome is

- ``ok``      the input was read (or refused with the project's error: `GanzhiError` or the parser's own
              documented error, e.g. `SipParseError`);
- ``crash``   any other exception escaped (a traceback the user would see);
- ``hang``    the input used more than the per-input limit of CPU seconds (SIGPROF interrupts it), or more
              than `WALL_FACTOR` times that in wall time (SIGALRM): CPU time, because on a machine shared by
              other jobs a 1.5 s input can take 10 s of wall clock.

Seeds come from code (openpyxl, python-docx, hand-written PDF, the APK and UI forges, CSV/JSON text) and,
when present, from ../shared/data (GKD snapshots, screenshots, APKs, policy texts).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import signal
import struct
import tempfile
import time
import traceback
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ganzhi.errors import GanzhiError

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("GANZHI_SHARED_DATA", REPO_ROOT.parent / "shared" / "data")).resolve()

Mutator = Callable[[bytes, random.Random], bytes]
#: The harness itself never inflates a member larger than this (so peak RSS measures the parser, not us).
_HARNESS_MEMBER_BYTES = 16 * 1024 * 1024


def _bounded_member(src: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """A member's bytes, or None past `_HARNESS_MEMBER_BYTES`: streamed, since an earlier mutation may have
    shrunk a bomb's declared size (the harness's own memory must not be what the fuzz run measures)."""
    with src.open(info) as handle:
        body = handle.read(_HARNESS_MEMBER_BYTES + 1)
    return None if len(body) > _HARNESS_MEMBER_BYTES else body


#: Configurable: an input also counts as a hang after this many times its CPU limit in wall-clock time.
WALL_FACTOR = 6.0


class Hang(BaseException):
    """Raised by SIGPROF/SIGALRM when one input runs past its limit (a BaseException: no guard catches it)."""


@dataclass(frozen=True, slots=True)
class Target:
    """One importer or parser under fuzz."""

    name: str
    suffix: str
    seeds: Callable[[], list[bytes]]
    run: Callable[[Path, Path], object]  # (input file, scratch folder) -> anything; consumes the whole input
    allowed: tuple[type[BaseException], ...] = (GanzhiError,)
    zip_based: bool = False


@dataclass(slots=True)
class Outcome:
    kind: str  # ok | crash | hang
    seconds: float
    recipe: str
    error: str = ""
    trace: str = ""


@dataclass(slots=True)
class Tally:
    """Counts for one target."""

    tried: int = 0
    crashes: int = 0
    hangs: int = 0
    slowest_s: float = 0.0
    samples: list[dict[str, str]] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    peak_rss_mb: float = 0.0  # this process's peak RSS over the run (harness and parser), 0 when unknown
    peak_input_rss_mb: float = 0.0  # the largest peak measured while one input was parsed
    peak_input: str = ""  # that input's recipe
    saved: list[str] = field(default_factory=list)  # files written for failing inputs
    harness_errors: int = 0  # mutators that raised (a harness bug, not a parser finding)

    def add(self, outcome: Outcome) -> None:
        self.tried += 1
        self.slowest_s = max(self.slowest_s, outcome.seconds)
        if outcome.kind == "ok":
            return
        if outcome.kind == "crash":
            self.crashes += 1
        else:
            self.hangs += 1
        key = (
            outcome.error.split(":", 1)[0] + "|" + outcome.trace.strip().splitlines()[-1][:120] if outcome.trace else ""
        )
        if key not in self.kinds and len(self.samples) < 8:
            self.kinds.add(key)
            self.samples.append(
                {
                    "kind": outcome.kind,
                    "recipe": outcome.recipe,
                    "error": outcome.error[:400],
                    "trace": outcome.trace[-2500:],
                }
            )


# ------------------------------------------------------------------------------------------------------ mutators


def flip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return b"\x00"
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(max(1, len(data)))]


def splice(data: bytes, rng: random.Random) -> bytes:
    if len(data) < 2:
        return data * 2
    a, b = sorted(rng.sample(range(len(data)), 2))
    at = rng.randrange(len(data))
    return data[:at] + data[a:b] * rng.randint(1, 3) + data[at:]


def huge_string(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    filler = rng.choice([b"A", "长".encode(), b"9", b"\\u0000", b"%"])
    return data[:at] + filler * rng.choice([300, 5_000, 70_000, 2_000_000 // len(filler)]) + data[at:]


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([300, 1_100, 50_000])
    opener, closer = rng.choice([(b"[", b"]"), (b'{"a":', b"}"), (b"<node>", b"</node>"), (b"<b>", b"</b>")])
    at = rng.randrange(len(data) + 1)
    tail = closer * depth if rng.random() < 0.5 else b""
    return data[:at] + opener * depth + tail + data[at:]


def odd_text(data: bytes, rng: random.Random) -> bytes:
    """Values that trip converters: unicode digits, huge numbers, NUL bytes, lone surrogates, odd newlines."""
    pieces = [
        b"\xc2\xb2",
        "١٢٣".encode(),
        b"9" * 5000,
        b"\x00",
        b"\xed\xa0\x80",
        b"\r",
        b'"',
        b"-1",
        b"NaN",
        b"1e999",
        b"\xef\xbb\xbf",
        b"\t" * 50,
        b"," * 300,
        "合".encode() * 300,
    ]
    buf = data
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(buf) + 1)
        buf = buf[:at] + rng.choice(pieces) + buf[at:]
    return buf


TEXT_MUTATORS: list[Mutator] = [flip, truncate, splice, huge_string, deep_nesting, odd_text]


def _rezip(data: bytes, rng: random.Random, change: Callable[[str, bytes], tuple[str, bytes] | None]) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as src:
            read = [(i, _bounded_member(src, i)) for i in src.infolist()]
            if any(body is None for _, body in read):
                return flip(data, rng)  # a bomb from an earlier step: the harness never inflates it
            items = [(i, body) for i, body in read if body is not None]
    except Exception:  # an earlier mutation broke the archive: mutate its bytes instead
        return flip(data, rng)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, body in items:
            changed = change(info.filename, body)
            if changed is None:
                continue
            name, new_body = changed
            dst.writestr(name, new_body)
    return out.getvalue()


def emptied(data: bytes, rng: random.Random) -> bytes:
    """The member's content removed (an empty manifest, DEX or sheet)."""
    return b""


def zip_entry_rewrite(data: bytes, rng: random.Random) -> bytes:
    """One member's content mutated (text mutators), the archive rebuilt valid around it."""
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except Exception:
        return flip(data, rng)
    if not names:
        return data
    victim = rng.choice(names)
    mutate = rng.choice([flip, truncate, splice, huge_string, deep_nesting, odd_text, emptied])
    return _rezip(data, rng, lambda n, b: (n, mutate(b, rng)) if n == victim else (n, b))


def zip_entry_drop(data: bytes, rng: random.Random) -> bytes:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except Exception:
        return truncate(data, rng)
    victim = rng.choice(names) if names else ""
    return _rezip(data, rng, lambda n, b: None if n == victim else (n, b))


_BOMB_SIZES_MIB = (40, 40, 300)


@cache
def _bomb_stream(size: int) -> tuple[bytes, int, int]:
    """The deflated body of a `size`-byte bomb member (``<a>``, spaces, ``</a>``), its CRC-32 and size.

    Computed once per size and process: compressing 300 MB takes ~0.4 s of CPU, which used to cost more than
    the APK parser's own work on the input (the member and its headers are what `zipfile` wrote before).
    """
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    block = b" " * (1 << 20)
    pieces = [packer.compress(b"<a>")]
    crc = zlib.crc32(b"<a>")
    for _ in range((size - 7) >> 20):
        pieces.append(packer.compress(block))
        crc = zlib.crc32(block, crc)
    rest = b" " * ((size - 7) & ((1 << 20) - 1)) + b"</a>"
    pieces += [packer.compress(rest), packer.flush()]
    return b"".join(pieces), zlib.crc32(rest, crc), size


def deflated_zip(members: list[tuple[str, bytes]], raw: dict[str, tuple[bytes, int, int]]) -> bytes:
    """A deflate ZIP of `members`; a name in `raw` gets its precomputed (deflated bytes, CRC-32, size) instead.

    Raw members carry a ZIP64 extra field in their local header (what `zipfile` writes with `force_zip64`).
    """
    out = bytearray()
    central = bytearray()
    for name, body in members:
        if name in raw:
            packed, crc, size = raw[name]
        else:
            packer = zlib.compressobj(1, zlib.DEFLATED, -15)
            packed, crc, size = packer.compress(body) + packer.flush(), zlib.crc32(body), len(body)
        encoded = name.encode()
        flags = 0 if name.isascii() else 0x800
        zip64 = name in raw
        extra = struct.pack("<HHQQ", 1, 16, size, len(packed)) if zip64 else b""
        version = 45 if zip64 else 20
        offset = len(out)
        local_sizes = (0xFFFFFFFF, 0xFFFFFFFF) if zip64 else (len(packed), size)
        out += struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", version, flags, 8, 0, 0x21, crc, *local_sizes, len(encoded), len(extra)
        )
        out += encoded + extra + packed
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", version, version, flags, 8, 0, 0x21, crc, len(packed), size,
            len(encoded), 0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        central += encoded
    count = len(members)
    out += central + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(central), len(out), 0)
    return bytes(out)


def zip_bomb_member(data: bytes, rng: random.Random) -> bytes:
    """One member replaced by highly compressible content of 40-300 MB (kilobytes to ~1.4 MB compressed)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as src:
            read = [(i.filename, _bounded_member(src, i)) for i in src.infolist()]
            if any(body is None for _, body in read):
                return flip(data, rng)
            items = [(name, body) for name, body in read if body is not None]
    except Exception:
        return flip(data, rng)
    victim = rng.choice(items)[0] if items else "x.xml"
    size = rng.choice(_BOMB_SIZES_MIB) * 1024 * 1024
    members = items if any(name == victim for name, _ in items) else [*items, (victim, b"")]
    return deflated_zip(members, {victim: _bomb_stream(size)})


def _central_records(data: bytes) -> Iterator[int]:
    start = 0
    while True:
        at = data.find(b"PK\x01\x02", start)
        if at < 0 or at + 46 > len(data):
            return
        yield at
        start = at + 4


def zip_declared_sizes(data: bytes, rng: random.Random) -> bytes:
    """Central-directory and local sizes inflated (or shrunk), version/method/flags rewritten."""
    buf = bytearray(data)
    records = list(_central_records(data))
    if not records:
        return flip(data, rng)
    for at in rng.sample(records, min(len(records), rng.randint(1, 3))):
        choice = rng.randrange(5)
        if choice == 0:  # uncompressed size: huge
            struct.pack_into("<I", buf, at + 24, rng.choice([0xFFFFFFFF, 0x7FFFFFFF, 2_000_000_000]))
        elif choice == 1:  # uncompressed size: tiny (the inflater then sees more than declared)
            struct.pack_into("<I", buf, at + 24, rng.choice([0, 1, 10]))
        elif choice == 2:  # version needed to extract: unsupported
            struct.pack_into("<H", buf, at + 6, rng.choice([63, 99, 0xFFFF]))
        elif choice == 3:  # compression method: unknown / bzip2 / lzma
            struct.pack_into("<H", buf, at + 10, rng.choice([1, 12, 14, 99]))
        elif rng.random() < 0.5:  # flags: encrypted
            struct.pack_into("<H", buf, at + 8, 0x1)
        else:  # compressed size
            struct.pack_into("<I", buf, at + 20, rng.choice([0, 0xFFFFFFFF, 5]))
    return bytes(buf)


def deflate_corrupt(data: bytes, rng: random.Random) -> bytes:
    """Bytes flipped inside a compressed member's data (a corrupt deflate stream, a wrong CRC)."""
    try:
        infos = [i for i in zipfile.ZipFile(io.BytesIO(data)).infolist() if i.compress_size > 4]
    except Exception:
        return flip(data, rng)
    if not infos:
        return flip(data, rng)
    info = rng.choice(infos)
    header = info.header_offset  # negative when the archive claims more prefix bytes than it has
    if header < 0 or header + 30 > len(data):
        return flip(data, rng)
    name_len, extra_len = struct.unpack_from("<HH", data, header + 26)
    start = header + 30 + name_len + extra_len
    buf = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        pos = start + rng.randrange(info.compress_size)
        if pos < len(buf):
            buf[pos] ^= 1 << rng.randrange(8)
    return bytes(buf)


ZIP_MUTATORS: list[Mutator] = [
    zip_entry_rewrite,
    zip_entry_rewrite,
    zip_entry_rewrite,
    zip_entry_drop,
    zip_declared_sizes,
    zip_declared_sizes,
    deflate_corrupt,
    deflate_corrupt,
    zip_bomb_member,
    flip,
    truncate,
]


def mutate(data: bytes, rng: random.Random, *, zip_based: bool) -> tuple[bytes, str]:
    """One mutated input and its recipe (names of the mutations applied, in order)."""
    pool = ZIP_MUTATORS if zip_based else TEXT_MUTATORS
    steps = rng.choice([1, 1, 1, 2, 3])
    names = []
    for _ in range(steps):
        mutator = rng.choice(pool)
        data = mutator(data, rng)
        names.append(mutator.__name__ if hasattr(mutator, "__name__") else "mutation")
        if len(data) > 64 * 1024 * 1024:
            break
    return data, "+".join(names)


# --------------------------------------------------------------------------------------------------------- seeds


def _shared(
    *parts: str,
    pattern: str = "*",
    limit: int = 4,
    max_bytes: int = 2_000_000,
    min_bytes: int = 0,
    spread: bool = False,
) -> list[bytes]:
    """Up to `limit` files from ../shared/data/<parts> of `min_bytes` to `max_bytes`.

    `spread` picks them at evenly spaced size ranks (smallest, ..., largest) rather than the first by path,
    so a target sees small real files (many inputs per second) as well as large ones (the real code paths).
    """
    folder = SHARED_DATA.joinpath(*parts)
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.rglob(pattern) if p.is_file() and min_bytes <= p.stat().st_size <= max_bytes)
    if spread and len(files) > limit > 1:
        by_size = sorted(files, key=lambda p: (p.stat().st_size, str(p)))
        files = [by_size[round(i * (len(by_size) - 1) / (limit - 1))] for i in range(limit)]
    return [p.read_bytes() for p in files[:limit]]


@cache
def tariff_seeds(kind: str) -> list[bytes]:
    from ganzhi.demo.tariff import write_channels_csv, write_csv, write_json, write_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"seed.{kind}"
        if kind == "xlsx":
            write_xlsx(path)
        elif kind == "csv":
            write_csv(path)
            extra = Path(tmp) / "channels.csv"
            write_channels_csv(extra)
            return [path.read_bytes(), extra.read_bytes()]
        else:
            write_json(path)
        return [path.read_bytes()]


def _xlsx(rows: list[list[Any]], merges: tuple[str, ...] = ()) -> bytes:
    from openpyxl import Workbook

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


@cache
def docx_seeds() -> list[bytes]:
    import docx

    document = docx.Document()
    document.add_heading("隐私政策", level=1)
    document.add_paragraph("我们收集您的手机号码用于注册账号。")
    document.add_heading("一、我们如何收集和使用您的个人信息", level=2)
    document.add_paragraph("为向您提供地图导航服务，我们会收集您的位置信息。").add_run("重要：").bold = True
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "第三方SDK"
    table.cell(0, 1).text = "收集的信息"
    table.cell(1, 0).text = "某推送SDK"
    table.cell(1, 1).text = "设备标识符"
    buf = io.BytesIO()
    document.save(buf)
    return [buf.getvalue()]


def pdf_document(text_lines: list[str]) -> bytes:
    """A minimal one-page PDF with a Flate-compressed text content stream (hand-written, valid xref)."""
    content = "BT /F1 12 Tf 72 720 Td " + " ".join(f"({line}) Tj 0 -16 Td" for line in text_lines) + " ET"
    stream = zlib.compress(content.encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


POLICY_HTML = (
    "<!doctype html><html><head><title>隐私政策</title><script>alert(1)</script></head><body>"
    "<h1>隐私政策</h1><p>我们会收集<b>手机号码</b>用于注册。</p><table><tr><td>SDK</td><td>设备信息</td></tr></table>"
    "</body></html>"
).encode()
POLICY_TEXT = "隐私政策\n一、我们收集的信息\n我们会收集您的手机号码、位置信息，用于提供服务。\n".encode()


def policy_seeds(fmt: str) -> list[bytes]:
    if fmt == "html":
        return [POLICY_HTML]
    if fmt == "pdf":
        return [pdf_document(["Privacy policy", "We collect your phone number to register an account."])]
    if fmt == "docx":
        return docx_seeds()
    return [POLICY_TEXT, *_shared("policy", "viodroid", pattern="*.txt", limit=2, max_bytes=300_000)]


@cache
def ui_xml_seeds() -> list[bytes]:
    from ganzhi.forge.ui.bundles import Screen, View, uiautomator_xml

    close = View(bounds=(950, 100, 1040, 190), cls="android.widget.ImageView", desc="关闭", clickable=True)
    ad = View(bounds=(0, 0, 1080, 2400), resource_id="com.example.app:id/splash", children=[close], text="广告")
    return [uiautomator_xml(Screen(views=[ad]), "com.example.app")]


@cache
def gkd_seeds() -> list[bytes]:
    shared = _shared("ui", "gkd", pattern="*.json", limit=2, max_bytes=4_000_000)
    doc = {
        "id": 1700000000000,
        "appId": "com.example.app",
        "activityId": "com.example.app.Splash",
        "screenWidth": 1080,
        "screenHeight": 2400,
        "nodes": [
            {
                "id": 0,
                "pid": -1,
                "attr": {"name": "android.widget.FrameLayout", "left": 0, "top": 0, "right": 1080, "bottom": 2400},
            },
            {
                "id": 1,
                "pid": 0,
                "attr": {
                    "name": "android.widget.TextView",
                    "text": "跳过",
                    "clickable": True,
                    "vid": "skip",
                    "left": 900,
                    "top": 100,
                    "right": 1040,
                    "bottom": 180,
                },
            },
        ],
    }
    return [json.dumps(doc, ensure_ascii=False).encode(), *shared]


@cache
def png_seeds() -> list[bytes]:
    from ganzhi.forge.ui.bundles import noise_png

    return [noise_png(64, 128, seed=1), *_shared("ui", "uiguard", pattern="*.png", limit=1, max_bytes=400_000)]


def gkd_zip_seeds() -> list[bytes]:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("snapshot.json", gkd_seeds()[0])
        archive.writestr("snapshot.png", png_seeds()[0])
    return [out.getvalue()]


@cache
def apk_seeds() -> list[bytes]:
    from ganzhi.forge.apk.builder import write_apk
    from ganzhi.forge.apk.generate import generate_apk

    with tempfile.TemporaryDirectory() as tmp:
        path = write_apk(generate_apk(classes=20, planted_apis=(), seed=7).spec, Path(tmp) / "seed.apk")
        forged = path.read_bytes()
    real = _shared("apk", "apks", pattern="*.apk", limit=4, min_bytes=2_000, max_bytes=1_500_000, spread=True)
    return [forged, *real]


def apk_member_seeds(suffix: str) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(apk_seeds()[0])) as archive:
        return [archive.read(n) for n in archive.namelist() if n.endswith(suffix)][:1]


LIST_CSV = "功能场景,个人信息种类,处理目的\n注册,手机号码,创建账号\n地图,位置,导航\n".encode()
LIST_JSON = json.dumps([{"信息种类": "通讯录", "目的": "找好友", "场景": "社交"}], ensure_ascii=False).encode()
LIST_HTML = "<table><tr><th>信息名称</th><th>使用目的</th></tr><tr><td>位置</td><td>导航</td></tr></table>".encode()
HALLS_CSV = (
    "id,operator,name,address,adcode,lat,lon,port_out,port_in,opened_on\n"
    "h1,中国移动,朝阳营业厅,朝阳路1号,110105,39.92,116.44,是,是,2021-12-01\n"
    "h2,联通,海淀营业厅,,110108000000,,,1,0,2022-01-05\n"
).encode()
PUBLISHED_CSV = "operator,name\n中国移动,朝阳营业厅\n中国移动,西城营业厅\n".encode()
HOTLINE_CSV = (
    "number,enterprise,enterprise_type,app_path,website,elderly_direct_line\n"
    "95555,某银行,internet_company,我的>客服,https://example.cn,是\n10086,中国移动,basic_telecom,,,否\n"
).encode()
COMPLAINTS_JSONL = (
    '{"text": "客服热线打不通", "date": "2022-02-01", "enterprise": "demo-telecom", "channel": "12300"}\n'
    '{"text": "携号转网被拒", "date": "2022-02-03"}\n'
).encode()
PORTABILITY_CASE = {
    "id": "c1",
    "number": "13800138000",
    "real_name_registered": True,
    "status": "normal",
    "unpaid_billed_fees": 0,
    "contract_lock_until": None,
    "joined_on": "2023-01-01",
    "last_ported_on": None,
    "as_of": "2024-06-01",
}
SIP_INVITE = (
    b"INVITE sip:10086@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n"
    b"From: <sip:tester@127.0.0.1>;tag=1\r\nTo: <sip:10086@127.0.0.1>\r\nCall-ID: abc@127.0.0.1\r\n"
    b"CSeq: 1 INVITE\r\nContact: <sip:tester@127.0.0.1:5070>\r\nContent-Type: application/sdp\r\n"
    b"Content-Length: 52\r\n\r\nv=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 0 101\r\n"
)
SIP_OK = (
    b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\nFrom: <sip:t@h>;tag=1\r\n"
    b"To: <sip:10086@h>;tag=2\r\ni: abc\r\nCSeq: 1 INVITE\r\nl: 0\r\n\r\n"
)
USAGE_PLANS = b"plan_id,quota_bytes,cycle,province\np1,1073741824,month,11\np2,5368709120,month,44\n"
USAGE_EVENTS = (
    b"subscriber_id,ts,bytes,plan_id\n1,2024-03-01T08:00:00+08:00,900000000,p1\n1,2024-03-02T09:00:00Z,200000000,p1\n"
    b"2,1709251200000,10,p2\n"
)
USAGE_REMINDERS = b"subscriber_id,ts,threshold\n1,2024-03-02T10:00:00Z,80%\n"


@cache
def usage_parquet_seed() -> bytes:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pacsv.read_csv(io.BytesIO(USAGE_EVENTS))
    out = io.BytesIO()
    pq.write_table(pa.table(table), out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------------------- runners


def _consume(value: object) -> object:
    if isinstance(value, Iterator):
        return list(value)
    return value


def _tariff(path: Path, scratch: Path) -> object:
    from ganzhi.collect.tariff.importer import import_catalogue

    return import_catalogue([path])


def _tariff_sheets(path: Path, scratch: Path) -> object:
    from ganzhi.collect.tariff.readers import read_sheets

    return read_sheets(path)


def _policy(path: Path, scratch: Path) -> object:
    from ganzhi.collect.policy.ingest import read_policy_file

    return read_policy_file(path)


def _ui_xml(path: Path, scratch: Path) -> object:
    from ganzhi.collect.ui.importers import import_uiautomator

    return import_uiautomator([path], scratch / "bundle", package="com.example.app", density_dpi=440)


def _ui_gkd(path: Path, scratch: Path) -> object:
    from ganzhi.collect.ui.importers import import_gkd

    return import_gkd([path], scratch / "bundle", density_dpi=440)


def _ui_png(path: Path, scratch: Path) -> object:
    from ganzhi.collect.ui.image import ImageError, load_rgb
    from ganzhi.collect.ui.importers import import_screenshots

    with contextlib.suppress(ImageError):
        load_rgb(path.read_bytes())
    return import_screenshots([path], scratch / "bundle", package="com.example.app", density_dpi=440)


def _ui_manifest(path: Path, scratch: Path) -> object:
    from ganzhi.collect.ui.bundle import load_bundle

    root = scratch / "bundle"
    root.mkdir(exist_ok=True)
    (root / "frames").mkdir(exist_ok=True)
    (root / "frames" / "0000.xml").write_bytes(ui_xml_seeds()[0])
    (root / "bundle.json").write_bytes(path.read_bytes())
    bundle = load_bundle(root)
    for frame in bundle.manifest.frames:
        for relative in (frame.hierarchy, frame.screenshot):
            if relative:
                bundle.read(relative, limit=1 << 20)
    return bundle


UI_MANIFEST = json.dumps(
    {
        "format": "ganzhi-ui-bundle",
        "version": 1,
        "scenario": "cold-start",
        "device": {"screen_width_px": 1080, "screen_height_px": 2400, "density_dpi": 440},
        "app": {"package": "com.example.app"},
        "frames": [{"t_ms": 0, "hierarchy": "frames/0000.xml", "foreground": {"package": "com.example.app"}}],
        "events": [{"t_ms": 10, "type": "tap", "x": 990, "y": 140}],
    }
).encode()


def _lists(path: Path, scratch: Path) -> object:
    from ganzhi.collect.lists.parse import parse_list_file

    return parse_list_file(path)


@cache
def _divisions() -> Any:
    from ganzhi.rules.regions.divisions import default_divisions

    return default_divisions()


def _halls(path: Path, scratch: Path) -> object:
    from ganzhi.collect.halls.importers import import_halls

    return import_halls(path, _divisions())


def _halls_public(path: Path, scratch: Path) -> object:
    from ganzhi.collect.halls.importers import import_public_list

    return import_public_list(path)


def _hotlines(path: Path, scratch: Path) -> object:
    from ganzhi.collect.hotline.importers import import_registry

    return import_registry(path)


def _complaints(path: Path, scratch: Path) -> object:
    from ganzhi.supervision.complaints.intake import read_complaints

    return list(read_complaints(path))


def _portability(path: Path, scratch: Path) -> object:
    from ganzhi.collect.portability.cases import PortabilityCollector

    with path.open("rb") as stream:
        return list(PortabilityCollector(source=str(path)).read(stream))


def _evidence_file(path: Path, scratch: Path) -> object:
    from ganzhi.collect.evidence_file import read_evidence

    return list(read_evidence(path))


def _jsonl(path: Path, scratch: Path) -> object:
    from ganzhi.collect.jsonl import read_json_lines

    return list(read_json_lines(path))


def _usage(kind: str) -> Callable[[Path, Path], object]:
    def run(path: Path, scratch: Path) -> object:
        from ganzhi.collect.usage.audit import run_audit
        from ganzhi.collect.usage.config import AuditConfig

        files = {"plans": USAGE_PLANS, "events": USAGE_EVENTS, "reminders": USAGE_REMINDERS}
        paths = {}
        for name, body in files.items():
            paths[name] = scratch / f"{name}.csv"
            paths[name].write_bytes(body)
        paths[kind] = path
        cfg = AuditConfig(memory_limit="256MB", threads=1, temp_dir=str(scratch))
        return run_audit(paths["plans"], paths["events"], paths["reminders"], scratch / "out", cfg)

    return run


def _sip(path: Path, scratch: Path) -> object:
    from ganzhi.collect.hotline.sip_message import parse_message, sdp_media

    message = parse_message(path.read_bytes())
    message.to_bytes()
    return sdp_media(message.body)


def _apk(path: Path, scratch: Path) -> object:
    from ganzhi.collect.apk.analyze import analyze_apk

    return analyze_apk(path)


def _axml(path: Path, scratch: Path) -> object:
    from ganzhi.collect.apk.axml import parse_axml

    return parse_axml(path.read_bytes())


def _dex(path: Path, scratch: Path) -> object:
    from ganzhi.collect.apk.dex import open_dex

    return open_dex(path.read_bytes(), str(path))


def _sip_allowed() -> tuple[type[BaseException], ...]:
    from ganzhi.collect.hotline.sip_message import SipParseError

    return (GanzhiError, SipParseError)


def _apk_allowed() -> tuple[type[BaseException], ...]:
    from ganzhi.collect.apk.binary import FormatError

    return (GanzhiError, FormatError)


def targets() -> list[Target]:
    """Every importer and parser, with its seeds."""
    csv_zip = "csv"
    return [
        Target("tariff_xlsx", ".xlsx", lambda: tariff_seeds("xlsx"), _tariff, zip_based=True),
        Target("tariff_csv", ".csv", lambda: tariff_seeds("csv"), _tariff),
        Target("tariff_json", ".json", lambda: tariff_seeds("json"), _tariff),
        Target("tariff_read_xlsx", ".xlsx", lambda: tariff_seeds("xlsx"), _tariff_sheets, zip_based=True),
        Target("tariff_read_csv", ".csv", lambda: tariff_seeds("csv"), _tariff_sheets),
        Target("tariff_read_json", ".json", lambda: tariff_seeds("json"), _tariff_sheets),
        Target("policy_html", ".html", lambda: policy_seeds("html"), _policy),
        Target("policy_pdf", ".pdf", lambda: policy_seeds("pdf"), _policy),
        Target("policy_docx", ".docx", lambda: policy_seeds("docx"), _policy, zip_based=True),
        Target("policy_txt", ".txt", lambda: policy_seeds("text"), _policy),
        Target("ui_xml", ".xml", ui_xml_seeds, _ui_xml),
        Target("ui_gkd", ".json", gkd_seeds, _ui_gkd),
        Target("ui_gkd_zip", ".zip", gkd_zip_seeds, _ui_gkd, zip_based=True),
        Target("ui_png", ".png", png_seeds, _ui_png),
        Target("ui_manifest", ".json", lambda: [UI_MANIFEST], _ui_manifest),
        Target("lists_csv", ".csv", lambda: [LIST_CSV], _lists),
        Target("lists_json", ".json", lambda: [LIST_JSON], _lists),
        Target("lists_html", ".html", lambda: [LIST_HTML], _lists),
        Target(
            "lists_xlsx",
            ".xlsx",
            lambda: [
                _xlsx(
                    [["功能场景", "个人信息种类", "处理目的"], ["注册", "手机号码", "创建账号"], ["注册", "", "验证"]],
                    ("A2:A3",),
                )
            ],
            _lists,
            zip_based=True,
        ),
        Target("halls_csv", ".csv", lambda: [HALLS_CSV], _halls),
        Target(
            "halls_xlsx",
            ".xlsx",
            lambda: [_xlsx([r.split(",") for r in HALLS_CSV.decode().splitlines()])],
            _halls,
            zip_based=True,
        ),
        Target("halls_public", ".csv", lambda: [PUBLISHED_CSV], _halls_public),
        Target("hotlines", ".csv", lambda: [HOTLINE_CSV], _hotlines),
        Target("complaints", ".jsonl", lambda: [COMPLAINTS_JSONL], _complaints),
        Target(
            "portability",
            ".jsonl",
            lambda: [json.dumps(PORTABILITY_CASE).encode() + b"\n"],
            _portability,
        ),
        Target("evidence_file", ".jsonl", lambda: [COMPLAINTS_JSONL], _evidence_file),
        Target("jsonl", ".jsonl", lambda: [COMPLAINTS_JSONL], _jsonl),
        Target("usage_csv", "." + csv_zip, lambda: [USAGE_EVENTS], _usage("events")),
        Target("usage_parquet", ".parquet", lambda: [usage_parquet_seed()], _usage("events")),
        Target("sip", ".sip", lambda: [SIP_INVITE, SIP_OK], _sip, allowed=_sip_allowed()),
        Target("apk", ".apk", apk_seeds, _apk, allowed=_apk_allowed(), zip_based=True),
        Target(
            "apk_axml",
            ".xml",
            lambda: apk_member_seeds("AndroidManifest.xml"),
            _axml,
            allowed=_apk_allowed(),
        ),
        Target("apk_dex", ".dex", lambda: apk_member_seeds(".dex"), _dex, allowed=_apk_allowed()),
    ]


def by_name() -> dict[str, Target]:
    return {t.name: t for t in targets()}


# ----------------------------------------------------------------------------------------------------------- run


def _alarm(signum: int, frame: object) -> None:
    raise Hang(signal.Signals(signum).name)


def quiet_libraries() -> None:
    """Libraries log every damaged input they recover from (pypdf: 'EOF marker not found'); fuzzing makes many."""
    import logging
    import warnings

    for name in ("pypdf", "PIL", "openpyxl", "docx"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")


def run_one(target: Target, data: bytes, recipe: str, *, time_limit_s: float = 10.0) -> Outcome:
    """Write `data` to a file with the target's suffix, run the target on it, classify what happened.

    `time_limit_s` is CPU time of this process (all its threads); wall time gets `WALL_FACTOR` times that.
    """
    with tempfile.TemporaryDirectory(prefix="ganzhi-fuzz-") as tmp:
        scratch = Path(tmp)
        path = scratch / f"input{target.suffix}"
        path.write_bytes(data)
        previous = {sig: signal.signal(sig, _alarm) for sig in (signal.SIGPROF, signal.SIGALRM)}
        signal.setitimer(signal.ITIMER_PROF, time_limit_s)
        signal.setitimer(signal.ITIMER_REAL, time_limit_s * WALL_FACTOR)
        started = time.perf_counter()
        try:
            _consume(target.run(path, scratch))
            kind, error, trace = "ok", "", ""
        except Hang as exc:
            limit = f"{time_limit_s:g} s of CPU" if str(exc) == "SIGPROF" else f"{time_limit_s * WALL_FACTOR:g} s wall"
            kind, error, trace = "hang", f"ran past {limit}", traceback.format_exc(limit=-8)
        except target.allowed:
            kind, error, trace = "ok", "", ""
        except (Exception, RecursionError, MemoryError) as exc:
            kind, error, trace = "crash", f"{type(exc).__name__}: {exc}"[:600], traceback.format_exc(limit=-12)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.setitimer(signal.ITIMER_REAL, 0)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return Outcome(kind, time.perf_counter() - started, recipe, error, trace)


def _peak_rss_kib() -> int:
    """This process's peak RSS (`VmHWM`) in KiB, or 0 where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_peak_rss() -> bool:
    """Start a new peak-RSS window (Linux `clear_refs` 5): the peak then belongs to what runs next."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


def fuzz(
    target: Target,
    *,
    seconds: float,
    max_inputs: int,
    seed: int = 524,
    time_limit_s: float = 10.0,
    save_dir: Path | None = None,
) -> Tally:
    """Mutated inputs (plus each seed once) until `seconds` pass or `max_inputs` were tried.

    Where Linux lets a process reset its peak RSS, each input gets its own window, so the tally names the
    input that needed the most memory; failing inputs are written to `save_dir` (when given) for replay.
    """
    rng = random.Random(seed)
    quiet_libraries()
    seeds = target.seeds()
    tally = Tally()
    end = time.monotonic() + seconds
    windows = _reset_peak_rss()

    def account(data: bytes, recipe: str) -> None:
        before = _peak_rss_kib() / 1024  # the harness's own window (mutation, bookkeeping)
        if windows:
            _reset_peak_rss()
        outcome = run_one(target, data, recipe, time_limit_s=time_limit_s)
        during = _peak_rss_kib() / 1024
        if windows:
            _reset_peak_rss()
        tally.peak_rss_mb = max(tally.peak_rss_mb, before, during)
        if windows and during > tally.peak_input_rss_mb:
            tally.peak_input_rss_mb, tally.peak_input = during, recipe
        if outcome.kind != "ok" and save_dir is not None and len(tally.saved) < 20:
            save_dir.mkdir(parents=True, exist_ok=True)
            path = save_dir / f"{target.name}-{seed}-{tally.tried}-{outcome.kind}{target.suffix}"
            path.write_bytes(data)
            tally.saved.append(str(path))
        tally.add(outcome)

    for index, body in enumerate(seeds[:max_inputs]):
        account(body, f"seed {index}")
    while time.monotonic() < end and tally.tried < max_inputs:
        index = rng.randrange(len(seeds))
        try:
            data, recipe = mutate(seeds[index], rng, zip_based=target.zip_based)
        except Exception as exc:  # a bug in a mutator: counted and shown, the run goes on
            tally.harness_errors += 1
            if len(tally.samples) < 8:
                tally.samples.append(
                    {"kind": "harness", "recipe": f"seed {index}", "error": repr(exc)[:400],
                     "trace": traceback.format_exc(limit=-6)}
                )  # fmt: skip
            continue
        account(data, f"seed {index} ({len(seeds[index])} B) -> {recipe} ({len(data)} B)")
    tally.peak_rss_mb = max(tally.peak_rss_mb, _peak_rss_kib() / 1024)
    return tally
