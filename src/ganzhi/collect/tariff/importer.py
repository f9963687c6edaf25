"""Import a tariff catalogue (XLSX, CSV or JSON) into `tariff_catalogue` evidence.

Bad input never stops the import: every problem becomes a `RowProblem` (`ganzhi.errors`) naming the file,
sheet, row and field, with what was expected and what was found, and the rest of the catalogue is read.
Problems that keep the row (with a doubt) are warnings; those that lose or distort data are errors.
Every file's rows are counted (`FileCounts`: plan and channel rows accepted, rows rejected, warnings), so
a caller can say what was kept and what was not; the whole import of one file runs inside one boundary
(`collect.bounded.guard`), so any library failure becomes an error naming that file, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import ValidationError

from ganzhi.collect.bounded import guard
from ganzhi.collect.tariff.channels import (
    ListingBuilder,
    channel_type,
    is_channel_sheet,
    match_channel_header,
    split_ids,
    yes_no,
)
from ganzhi.collect.tariff.headers import HeaderLayout, HeaderMatch, locate_header, match_header
from ganzhi.collect.tariff.readers import Sheet, read_sheets
from ganzhi.collect.tariff.units import (
    UnitError,
    parse_cap_yuan,
    parse_data,
    parse_data_price,
    parse_date,
    parse_money,
    parse_number,
    parse_speed_kbps,
    parse_throttle,
    price_units,
)
from ganzhi.errors import InputError, RowProblem
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.tariff import (
    CHANNEL_NAME_MAX,
    MAX_FIELD_CHARS,
    MAX_PLANS,
    SUBJECT_TYPE,
    Audience,
    ChannelListing,
    ChannelType,
    Services,
    TariffCatalogue,
    TariffPlan,
)

Level = Literal["error", "warning"]
T = TypeVar("T")
_SERVICE_FIELDS = ("国内通话", "通用流量", "定向流量", "短信", "宽带", "固话")
_OFF_SALE = re.compile(r"下架|下线|停售|已下线|不在售|停止销售")
_ELDERLY = re.compile(r"老年|长者|敬老|孝心|60周岁|65周岁|银龄")
_DISABLED = re.compile(r"残疾|助残|残障")
_ENTERPRISE = re.compile(r"政企|集团客户|企业客户|行业客户")
_CAP_CHOICE = re.compile(r"可选|自选|任选|自主选择|自行选择|档位|自愿|选择.{0,8}封顶|封顶.{0,8}选择")
_NONE_TEXT = {"", "无", "-", "—", "/", "不含", "0"}
#: A labelled segment inside a free-text cell ('资费结构：套餐月费199元；计费原则：按自然月计费'): label, then text up
#: to the next ；/。/line break. The label is matched as a header; it fills that field when the row left it empty.
_SEGMENT = re.compile(r"(?:^|[；;。\n\s])([\u4e00-\u9fff]{2,8})[:：]\s*([^；;。\n]+)")
_SEGMENT_SOURCES = ("其他说明", "对应服务", "资费标准")


def _at(sheet: Sheet, index: int, fld: str | None, message: str, level: Level = "error") -> RowProblem:
    """A problem at the row of `sheet` with 0-based `index` (numbered as the user sees it)."""
    return RowProblem(sheet.source, index + sheet.first_row, fld, message, sheet=sheet.name or None, level=level)


@dataclass(slots=True)
class FileCounts:
    """What one input file gave: plan and channel rows kept, rows not kept because of an error, warnings."""

    source: str
    accepted: int = 0
    rejected: int = 0
    warnings: int = 0
    errors: int = 0


@dataclass(slots=True)
class ImportResult:
    """The imported catalogue, every problem met on the way, and per-file counts of kept and rejected rows."""

    catalogue: TariffCatalogue
    problems: list[RowProblem] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    files: list[FileCounts] = field(default_factory=list)

    @property
    def errors(self) -> list[RowProblem]:
        """Problems that lost or distorted data."""
        return [p for p in self.problems if p.level == "error"]

    @property
    def accepted(self) -> int:
        """Plan and channel rows kept, over every file."""
        return sum(f.accepted for f in self.files)

    @property
    def rejected(self) -> int:
        """Rows not kept because of an error, over every file."""
        return sum(f.rejected for f in self.files)

    def evidence(self, subject_id: str | None = None) -> Evidence:
        """The catalogue as one `tariff_catalogue` evidence item."""
        cat = self.catalogue
        sid = subject_id or "-".join(x for x in (cat.operator, cat.region) if x) or Path(self.sources[0]).stem
        subject = Subject(type=SUBJECT_TYPE, id=sid, enterprise=cat.operator)
        return Evidence.of(cat, subject, source=";".join(self.sources))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return str(value).strip()[:MAX_FIELD_CHARS]


@dataclass(slots=True)
class _RowReader:
    """Reads one plan row; records problems instead of raising."""

    sheet: Sheet
    index: int
    cells: dict[str, object]
    units: dict[str, str | None]
    problems: list[RowProblem]

    @property
    def where(self) -> str:
        return self.sheet.where(self.index)

    def problem(self, level: Level, fld: str | None, message: str) -> None:
        self.problems.append(_at(self.sheet, self.index, fld, message, level))

    def text(self, fld: str) -> str:
        return _text(self.cells.get(fld))

    def parsed(self, fld: str, parse: Callable[[str], T]) -> T | None:
        raw = self.text(fld)
        if raw in _NONE_TEXT:
            return None
        try:
            return parse(raw)
        except UnitError as exc:
            self.problem("error", fld, str(exc))
            return None

    def date(self, fld: str) -> dt.date | None:
        value = self.cells.get(fld)
        if value is None or _text(value) == "":
            return None
        try:
            return parse_date(value, what=fld)
        except UnitError as exc:
            self.problem("error", fld, str(exc))
            return None


def _services(row: _RowReader) -> Services:
    data = row.parsed("通用流量", lambda t: parse_data(t, header_unit=row.units.get("通用流量")))
    directional = row.parsed("定向流量", lambda t: parse_data(t, header_unit=row.units.get("定向流量")))
    voice = row.parsed("国内通话", lambda t: parse_number(t, what="国内通话", maximum=100_000))
    sms = row.parsed("短信", lambda t: parse_number(t, what="短信", maximum=100_000))
    broadband = row.parsed("宽带", lambda t: parse_speed_kbps(t, header_unit=row.units.get("宽带") or "mbps") / 1000)
    unlimited = bool(data and data.unlimited) or bool(re.search(r"不限量|无限量", row.text("资费名称")))
    return Services(
        voice_minutes=voice,
        general_data_gb=data.gb if data else None,
        directional_data_gb=directional.gb if directional else None,
        sms=sms,
        broadband_mbps=broadband,
        fixed_voice=row.text("固话") not in _NONE_TEXT,
        unlimited_data=unlimited,
    )


def _audiences(row: _RowReader) -> list[Audience]:
    scope = row.text("适用范围") + " " + row.text("资费名称")
    pairs = ((Audience.ELDERLY, _ELDERLY), (Audience.DISABLED, _DISABLED))
    found = [audience for audience, pattern in pairs if pattern.search(scope)]
    if _ENTERPRISE.search(row.text("适用范围")) or _ENTERPRISE.search(row.text("资费类型")):
        found.append(Audience.ENTERPRISE)
    return found or [Audience.PUBLIC]


def labelled_segments(text: str) -> dict[str, str]:
    """Fields stated inside free text as 'label：value' segments, keyed by canonical field ('计费原则：按月计费')."""
    found: dict[str, str] = {}
    for match in _SEGMENT.finditer(text):
        fld = match_header(match.group(1)).field
        value = match.group(2).strip()
        if fld and value and fld not in found:
            found[fld] = value[:MAX_FIELD_CHARS]
    return found


def _publication_fields(row: _RowReader, services: Services) -> dict[str, str]:
    fields = {fld: text for fld in row.cells if (text := row.text(fld)) and fld not in _SERVICE_FIELDS}
    for source in _SEGMENT_SOURCES:
        for fld, value in labelled_segments(row.text(source)).items():
            if fld not in _SERVICE_FIELDS and not fields.get(fld):
                fields[fld] = value
    if not fields.get("对应服务"):
        parts = [f"{fld}{row.text(fld)}" for fld in _SERVICE_FIELDS if row.text(fld) not in _NONE_TEXT]
        if parts:
            fields["对应服务"] = "；".join(parts)
    return fields


def _plan(row: _RowReader, as_of: dt.date | None) -> TariffPlan | None:
    plan_id = row.text("方案编号")
    name = row.text("资费名称")
    if not plan_id and not name:
        if any(_text(v) for v in row.cells.values()):
            row.problem("error", "方案编号", "row has neither 方案编号 nor 资费名称; skipped")
        return None
    if not plan_id:
        plan_id = f"row-{row.index + row.sheet.first_row}"
        row.problem("error", "方案编号", f"empty; the plan is kept as {plan_id!r}")
    if not name:
        name = plan_id
        row.problem("error", "资费名称", "empty; the plan id is used as its name")
    fee = row.parsed("资费标准", parse_money)
    services = _services(row)
    overage_text = row.text("超出资费说明")
    price = row.parsed("超出资费说明", parse_data_price)
    if len(price_units(overage_text)) > 1:
        units = sorted(price_units(overage_text))
        row.problem("warning", "超出资费说明", f"mixes data-price units {units}; the first is used")
    elif price is None and "流量" in overage_text and "元" in overage_text:
        row.problem("warning", "超出资费说明", f"names a data charge but no unit price could be read: {overage_text!r}")
    throttle_text = "；".join(row.text(f) for f in ("达量降速", "通用流量", "对应服务", "超出资费说明", "其他说明"))
    cap_text = row.text("超套封顶") + " " + overage_text
    online, offline = row.date("上线日期"), row.date("下线日期")
    if online and offline and offline < online:
        row.problem("error", "下线日期", f"{offline} is before 上线日期 {online}")
    on_sale = not _OFF_SALE.search(row.text("销售状态")) and not (offline and as_of and offline < as_of)
    try:
        return TariffPlan(
            plan_id=plan_id[:100], name=name[:200], row=row.where, fields=_publication_fields(row, services),
            plan_type=row.text("资费类型") or None, on_sale=on_sale, audiences=_audiences(row), monthly_fee=fee,
            services=services, throttle=parse_throttle(throttle_text), overage_data_price=price,
            spending_cap_yuan=parse_cap_yuan(cap_text), spending_cap_optional=bool(_CAP_CHOICE.search(cap_text)),
            online_date=online, offline_date=offline,
        )  # fmt: skip
    except ValidationError as exc:
        for err in exc.errors():
            row.problem("error", ".".join(map(str, err["loc"])), f"{err['msg']} (got {err.get('input')!r})")
        return None


def _channel_subheader(row: Sequence[object]) -> dict[int, ChannelType]:
    """Columns of a row that is a channel sub-header: at least two cells name a channel type and every other
    non-empty cell is a header too (no plan data); {} when the row is data."""
    labels = {i: ct for i, cell in enumerate(row) if (ct := channel_type(_text(cell))) is not None}
    others = [cell for i, cell in enumerate(row) if i not in labels and _text(cell)]
    if len(labels) < 2 or any(match_header(cell).field is None for cell in others):
        return {}
    return labels


@dataclass(slots=True)
class _Importer:
    as_of: dt.date | None
    problems: list[RowProblem] = field(default_factory=list)
    plans: dict[str, TariffPlan] = field(default_factory=dict)
    listings: ListingBuilder = field(default_factory=ListingBuilder)
    meta: dict[str, str] = field(default_factory=dict)
    accepted: int = 0
    rejected: int = 0

    def sheet(self, sheet: Sheet) -> None:
        self.meta.update({k: str(v) for k, v in sheet.meta.items()})
        rows = sheet.rows
        head = next((i for i, r in enumerate(rows[:10]) if is_channel_sheet(r)), None)
        if head is not None:
            self._channel_sheet(sheet, head)
            return
        layout = locate_header(rows)
        if layout is None:
            if any(_text(c) for r in rows for c in r):
                message = "no tariff header row found in the first 10 rows; sheet skipped"
                self.problems.append(_at(sheet, 0, None, message, "warning"))
            return
        self._plan_sheet(sheet, layout)

    def _plan_sheet(self, sheet: Sheet, layout: HeaderLayout) -> None:
        known = {c.field for c in layout.columns if c.field}
        for required in ("方案编号", "资费名称"):
            if required not in known:
                self.problems.append(_at(sheet, layout.last_row, required, "missing header column"))
        unknown = [c.raw[:80] for c in layout.columns if c.field is None and c.raw and channel_type(c.raw) is None]
        if unknown:
            message = f"unrecognised columns ignored: {unknown}"
            self.problems.append(_at(sheet, layout.last_row, None, message, "warning"))
        channel_cols = {
            i: ct for i, c in enumerate(layout.columns) if c.field in (None, "销售渠道") and (ct := channel_type(c.raw))
        }
        first = layout.last_row + 1
        labels = _channel_subheader(sheet.rows[first]) if first < len(sheet.rows) else {}
        if labels:  # a second header row names the channel of each column under a merged "可查询渠道"
            layout = HeaderLayout(last_row=first, rows=layout.rows + 1, columns=[
                HeaderMatch(raw=str(sheet.rows[first][i]), field=None, unit=None) if i in labels else c
                for i, c in enumerate(layout.columns)
            ])  # fmt: skip
            channel_cols = {**channel_cols, **labels}
        for index in range(layout.last_row + 1, len(sheet.rows)):
            cells, units = self._cells(sheet.rows[index], layout, channel_cols)
            reader = _RowReader(sheet, index, cells, units, self.problems)
            if len(self.plans) >= MAX_PLANS and any(_text(v) for v in cells.values()):
                reader.problem("error", None, f"more than {MAX_PLANS} plans; row not read (split the catalogue)")
                self.rejected += 1
                continue
            before = len(self.problems)
            plan = _plan(reader, self.as_of)
            if plan is None:
                self.rejected += int(len(self.problems) > before)  # a row with content that could not be read
                continue
            if plan.plan_id in self.plans:
                reader.problem(
                    "error",
                    "方案编号",
                    f"duplicate id {plan.plan_id!r} (first at {self.plans[plan.plan_id].row}); row ignored",
                )
                self.rejected += 1
                continue
            self.plans[plan.plan_id] = plan
            self.accepted += 1
            for col, ctype in channel_cols.items():
                value = sheet.rows[index][col] if col < len(sheet.rows[index]) else None
                shown = yes_no(value)
                if shown is None:
                    reader.problem("warning", layout.columns[col].raw, f"expected 是/否, got {_text(value)!r}")
                elif shown and len(layout.columns[col].raw) > CHANNEL_NAME_MAX:
                    reader.problem(
                        "warning",
                        layout.columns[col].raw[:40],
                        f"channel name longer than {CHANNEL_NAME_MAX} characters; column ignored",
                    )
                elif shown:
                    self.listings.add(ctype, layout.columns[col].raw, [plan.plan_id], None, reader.where)

    @staticmethod
    def _cells(
        row: Sequence[object], layout: HeaderLayout, skip: Mapping[int, object]
    ) -> tuple[dict[str, object], dict[str, str | None]]:
        cells: dict[str, object] = {}
        units: dict[str, str | None] = {}
        for col, match in enumerate(layout.columns):
            if match.field is None or col in skip or col >= len(row):
                continue
            value = row[col]
            if match.field in cells and _text(cells[match.field]):
                if _text(value) and _text(value) != _text(cells[match.field]):
                    cells[match.field] = f"{_text(cells[match.field])}；{_text(value)}"
                continue
            cells[match.field] = value
            units[match.field] = match.unit
        return cells, units

    def _channel_sheet(self, sheet: Sheet, head: int) -> None:
        columns = [match_channel_header(c) for c in sheet.rows[head]]
        for index in range(head + 1, len(sheet.rows)):
            row = sheet.rows[index]
            cells = {f: row[i] for i, f in enumerate(columns) if f and i < len(row)}
            if not any(_text(v) for v in cells.values()):
                continue
            where = sheet.where(index)
            label = _text(cells.get("channel_type")) or _text(cells.get("channel_name"))
            ctype = channel_type(label) or channel_type(_text(cells.get("channel_name")))
            if ctype is None:
                message = f"expected one of 自有营业厅/掌厅/网厅/资费专区/代理渠道, got {label[:200]!r}"
                self.problems.append(_at(sheet, index, "渠道类型", message))
                self.rejected += 1
                continue
            elderly_raw = cells.get("elderly_entry")
            elderly = yes_no(elderly_raw) if "elderly_entry" in cells else None
            if "elderly_entry" in cells and elderly is None:
                message = f"expected 是/否, got {_text(elderly_raw)!r}"
                self.problems.append(_at(sheet, index, "老年人残疾人入口", message, "warning"))
            name = _text(cells.get("channel_name")) or label
            if len(name) > CHANNEL_NAME_MAX:
                message = f"channel name longer than {CHANNEL_NAME_MAX} characters ({len(name)}); row skipped"
                self.problems.append(_at(sheet, index, "渠道名称", message))
                self.rejected += 1
                continue
            self.listings.add(ctype, name, split_ids(cells.get("plan_ids")), elderly, where)
            self.accepted += 1

    def result(self, sources: list[str]) -> ImportResult:
        listings: list[ChannelListing] = self.listings.build()
        unknown = sorted({pid for listing in listings for pid in listing.plan_ids} - set(self.plans))
        if unknown and self.plans:
            message = f"channels list plan ids not in the catalogue: {unknown[:20]}"
            self.problems.append(RowProblem(sources[-1], None, "方案编号", message, level="warning"))
        as_of = self.as_of
        catalogue = TariffCatalogue(
            operator=self.meta.get("operator"), region=self.meta.get("region"), as_of=as_of,
            plans=list(self.plans.values()), channels=listings,
            import_errors=sum(p.level == "error" for p in self.problems),
            import_warnings=sum(p.level == "warning" for p in self.problems),
        )  # fmt: skip
        return ImportResult(catalogue=catalogue, problems=self.problems, sources=sources)


def import_catalogue(
    paths: Iterable[Path], *, operator: str | None = None, region: str | None = None, as_of: dt.date | None = None
) -> ImportResult:
    """Import plan and channel files; an unreadable file becomes an error and the others are still read.

    Each file is read and imported inside one boundary (`guard`): a library failure anywhere in it becomes
    an error naming the file, and the rows it had already given are kept.
    """
    importer = _Importer(as_of=as_of)
    sources: list[str] = []
    files: list[FileCounts] = []
    for path in paths:
        sources.append(str(path))
        counts = FileCounts(str(path))
        files.append(counts)
        first_problem, importer.accepted, importer.rejected = len(importer.problems), 0, 0
        try:
            with guard(str(path), what="cannot import the catalogue file"):
                for sheet in read_sheets(path):
                    importer.sheet(sheet)
        except InputError as exc:
            importer.problems.append(RowProblem(exc.source, None, None, exc.problem))
        counts.accepted, counts.rejected = importer.accepted, importer.rejected
        _tally(counts, importer.problems[first_problem:])
    if operator:
        importer.meta["operator"] = operator
    if region:
        importer.meta["region"] = region
    last = len(importer.problems)
    if not importer.plans:
        importer.problems.append(RowProblem(";".join(sources), None, None, "no tariff plan could be read"))
    result = importer.result(sources)
    if files:  # problems found once every file was read (plan ids no plan file has) belong to the last file
        _tally(files[-1], result.problems[last:])
    result.files = files
    return result


def _tally(counts: FileCounts, problems: Iterable[RowProblem]) -> None:
    for problem in problems:
        if problem.level == "warning":
            counts.warnings += 1
        else:
            counts.errors += 1
