"""Stored pages → typed evidence, per the kind each spec rule names.

Extraction runs over stored pages, after the crawl, so a collection can be re-extracted when an extractor
improves without fetching anything again, and paginated pages of one rule (a hall list over 30 pages, a
tariff table split into pages) become one evidence item. Each kind reuses the collector that reads the same
material from a file: the tariff importer, the policy analyzer, the PI-list parser, the cloud-drive page
reader. Every evidence item references the blobs of the pages it came from (body and screenshot).
A page that cannot be read becomes a problem naming its URL; the other pages are still read.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from parsel import Selector

from ganzhi.collect.crawl.spec import CrawlSpec, Rule, SubjectTemplate
from ganzhi.collect.crawl.text import decode_page
from ganzhi.errors import GanzhiError
from ganzhi.evidence.base import ArtefactRef, Evidence, Subject
from ganzhi.evidence.halls import HallPublicList, PublishedHall
from ganzhi.evidence.hotline import HotlineListing, Placement
from ganzhi.evidence.store_listing import StoreListing

#: Most table rows read from one page, and hall entries kept per list (configurable defaults).
MAX_ROWS_PER_PAGE = 5_000
MAX_HALLS = 50_000
_PHONE = re.compile(
    r"(?<![\d-])(400[-\s]?\d{3}[-\s]?\d{4}|800[-\s]?\d{3}[-\s]?\d{4}|95\d{3,4}|100\d{2}|1\d{4}(?!\d))(?![\d-])"
)
_HALL_NAME = ("营业厅名称", "厅店名称", "网点名称", "名称", "营业厅")
_HALL_ADDRESS = ("营业厅地址", "详细地址", "地址")
_HALL_ID = ("营业厅编号", "网点编号", "编号", "序号")
_HALL_PORT = ("可办理携号转网", "携号转网", "携出", "是否支持携转")
_NO = ("否", "不支持", "不可", "×", "no", "false", "0")


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A fetched page as the store keeps it: provenance, body bytes and blob references."""

    site: str
    rule: str
    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    fetched_at: dt.datetime
    body_ref: ArtefactRef
    screenshot_ref: ArtefactRef | None = None

    def text(self) -> str:
        return decode_page(self.body, self.content_type)[0]

    def refs(self) -> list[ArtefactRef]:
        return [self.body_ref] + ([self.screenshot_ref] if self.screenshot_ref else [])


@dataclass(slots=True)
class Extraction:
    """Evidence of one site's pages, and the problems met."""

    evidence: list[Evidence]
    problems: list[str]


def _subject(template: SubjectTemplate, values: dict[str, str], spec: CrawlSpec) -> Subject:
    def fill(text: str | None) -> str | None:
        if text is None:
            return None
        try:
            return text.format_map(values)
        except (KeyError, ValueError, IndexError) as exc:
            raise GanzhiError(f"spec {spec.name}: subject {text!r}: no value for {exc}") from None

    return Subject(
        type=template.type,
        id=fill(template.id) or template.id,
        name=fill(template.name),
        enterprise=fill(template.enterprise) or spec.enterprise,
    )


def _cell(node: Selector) -> str:
    return " ".join(" ".join(node.css("::text").getall()).split())


def html_tables(text: str) -> list[list[list[str]]]:
    """Every `<table>` as rows of cell texts (th and td), bounded per page."""
    tables: list[list[list[str]]] = []
    for table in Selector(text=text).css("table"):
        rows = [[_cell(c) for c in tr.xpath("./th|./td")] for tr in table.xpath(".//tr")[:MAX_ROWS_PER_PAGE]]
        rows = [r for r in rows if any(r)]
        if rows:
            tables.append(rows)
    return tables


def _select(sel: Selector, query: str) -> list[str]:
    found = sel.xpath(query) if query.startswith(("/", "(", "./")) else sel.css(query)
    return [" ".join(v.split()) for v in found.getall() if v and v.strip()]


def _tariff(spec: CrawlSpec, rule: Rule, pages: Sequence[StoredPage], problems: list[str]) -> list[Evidence]:
    from ganzhi.collect.tariff.importer import import_catalogue

    header: list[str] | None = None
    rows: list[list[str]] = []
    for page in pages:
        for table in html_tables(page.text()):
            if header is None:
                header = table[0]
            rows.extend(r for r in table if r != header)
    if header is None:
        problems.append(f"{spec.name}/{rule.name}: no <table> on {len(pages)} page(s) ({pages[0].url})")
        return []
    with tempfile.TemporaryDirectory(prefix="ganzhi-crawl-") as tmp:
        path = Path(tmp) / f"{spec.name}-{rule.name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([header, *rows])
        result = import_catalogue(
            [path], operator=rule.options.get("operator"), region=rule.options.get("region"),
            as_of=max(p.fetched_at for p in pages).date(),
        )  # fmt: skip
    problems.extend(f"{pages[0].url}: {p}" for p in result.errors[:50])
    assert rule.subject is not None
    subject = _subject(rule.subject, dict(rule.options), spec)
    return [_wrap(result.catalogue, subject, pages)]


def _wrap(payload: object, subject: Subject, pages: Sequence[StoredPage]) -> Evidence:
    from pydantic import BaseModel

    assert isinstance(payload, BaseModel)
    refs = [ref for page in pages for ref in page.refs()]
    source = pages[0].url if len(pages) == 1 else f"{pages[0].url} (+{len(pages) - 1} pages)"
    when = max(p.fetched_at for p in pages)
    return Evidence.of(payload, subject, source=source, collected_at=when, artefacts=list(dict.fromkeys(refs)))


def _policy(spec: CrawlSpec, rule: Rule, page: StoredPage, problems: list[str]) -> list[Evidence]:
    from ganzhi.collect.policy.analyze import analyze_document
    from ganzhi.collect.policy.ingest import read_policy_bytes

    text = page.text()
    document = read_policy_bytes(text.encode("utf-8"), page.url, name="page.html")
    analysis = analyze_document(document, is_summary=rule.kind == "policy_summary")
    problems.extend(analysis.problems)
    assert rule.subject is not None
    return [_wrap(analysis, _subject(rule.subject, dict(rule.options), spec), [page])]


def _pi_lists(spec: CrawlSpec, rule: Rule, page: StoredPage, problems: list[str]) -> list[Evidence]:
    from ganzhi.collect.lists.parse import parse_html

    kind = rule.options.get("list_kind")
    wanted = kind if kind in ("collected", "shared") else None
    parsed = parse_html(page.text(), page.url, wanted)  # type: ignore[arg-type]
    assert rule.subject is not None
    subject = _subject(rule.subject, dict(rule.options), spec)
    out: list[Evidence] = []
    for item in parsed:
        problems.extend(item.problems)
        if item.rows:
            out.append(_wrap(item, subject, [page]))
    return out


def _netdisk(spec: CrawlSpec, rule: Rule, page: StoredPage, problems: list[str]) -> list[Evidence]:
    from ganzhi.collect.netdisk.disclosure import read_disclosure

    disclosure = read_disclosure(page.text().encode("utf-8"), page.url)
    if not disclosure.tiers:
        problems.append(f"{page.url}: no account tier found on the page")
    assert rule.subject is not None
    return [_wrap(disclosure, _subject(rule.subject, dict(rule.options), spec), [page])]


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        for i, cell in enumerate(header):
            if name in cell.replace(" ", ""):
                return i
    return None


def _halls(spec: CrawlSpec, rule: Rule, pages: Sequence[StoredPage], problems: list[str]) -> list[Evidence]:
    operator = rule.options.get("operator") or spec.enterprise or spec.name
    entries: list[PublishedHall] = []
    for page in pages:
        tables = html_tables(page.text())
        if not tables:
            problems.append(f"{page.url}: no hall table on the page")
        for table in tables:
            header = table[0]
            name_at = _column(header, _HALL_NAME)
            if name_at is None:
                problems.append(f"{page.url}: no hall-name column in header {header[:10]}")
                continue
            address_at, id_at, port_at = (_column(header, n) for n in (_HALL_ADDRESS, _HALL_ID, _HALL_PORT))
            for row in table[1:]:
                if name_at >= len(row) or not row[name_at] or len(entries) >= MAX_HALLS:
                    continue
                port = row[port_at].strip().lower() if port_at is not None and port_at < len(row) else ""
                entries.append(PublishedHall(
                    id=row[id_at][:128] if id_at is not None and id_at < len(row) and row[id_at] else None,
                    operator=operator, name=row[name_at][:256],
                    address=row[address_at][:512] if address_at is not None and address_at < len(row) else "",
                    port_out=not any(port.startswith(n) for n in _NO),
                ))  # fmt: skip
    if not entries:
        return []
    payload = HallPublicList(entries=entries, published_on=max(p.fetched_at for p in pages).date(), url=pages[0].url)
    assert rule.subject is not None
    return [_wrap(payload, _subject(rule.subject, dict(rule.options), spec), pages)]


def _hotlines(spec: CrawlSpec, rule: Rule, page: StoredPage, problems: list[str]) -> list[Evidence]:
    text = " ".join(Selector(text=page.text()).css("body ::text").getall())
    numbers = list(dict.fromkeys(re.sub(r"[\s]", "", m.group(1)) for m in _PHONE.finditer(text)))
    if not numbers:
        problems.append(f"{page.url}: no hotline number found on the page")
        return []
    kind = rule.options.get("enterprise_type", "internet_company")
    enterprise = rule.options.get("enterprise") or spec.enterprise or spec.name
    assert rule.subject is not None
    out: list[Evidence] = []
    for number in numbers[:20]:
        listing = HotlineListing(
            enterprise=enterprise,
            enterprise_type="basic_telecom_operator" if kind == "basic_telecom_operator" else "internet_company",
            number=number,
            shown_on=[Placement(channel="website", url=page.url)],
        )
        out.append(_wrap(listing, _subject(rule.subject, {**rule.options, "number": number}, spec), [page]))
    return out


_LISTING_FIELDS = ("app_name", "developer", "package", "version", "updated", "policy_url", "apk_url")


def _store_listing(spec: CrawlSpec, rule: Rule, page: StoredPage, problems: list[str]) -> list[Evidence]:
    sel = Selector(text=page.text())
    values: dict[str, str] = {}
    permissions: list[str] = []
    missing: list[str] = []
    for name, query in rule.fields.items():
        found = _select(sel, query)
        if not found:
            missing.append(name)
            continue
        if name == "permissions":
            permissions = found[:500]
        elif name.endswith(("_url", "_link")):
            values[name] = urljoin(page.url, found[0])[:2000]
        else:
            values[name] = found[0][:2000]
    if missing:
        problems.append(f"{page.url}: listing fields not found: {', '.join(missing)}")
    listing = StoreListing(
        store=rule.options.get("store") or spec.enterprise or spec.name, url=page.url,
        permissions=permissions, missing=missing,
        extra={k: v for k, v in values.items() if k not in _LISTING_FIELDS},
        **{k: values.get(k) for k in _LISTING_FIELDS},
    )  # fmt: skip
    assert rule.subject is not None
    try:
        subject = _subject(rule.subject, {**rule.options, **values}, spec)
    except GanzhiError as exc:
        problems.append(f"{page.url}: {exc}")
        return []
    return [_wrap(listing, subject, [page])]


_PER_PAGE = {
    "policy": _policy,
    "policy_summary": _policy,
    "pi_list": _pi_lists,
    "netdisk_tiers": _netdisk,
    "hotline_page": _hotlines,
    "store_listing": _store_listing,
}
_PER_RULE = {"tariff_table": _tariff, "hall_list": _halls}


def extract_site(spec: CrawlSpec, pages: Sequence[StoredPage]) -> Extraction:
    """Evidence of every successfully fetched page of one site, by the kind of the rule that reached it."""
    by_rule: dict[str, list[StoredPage]] = defaultdict(list)
    for page in sorted(pages, key=lambda p: p.url):
        if page.status < 400:
            by_rule[page.rule].append(page)
    evidence: list[Evidence] = []
    problems: list[str] = []
    for name, group in by_rule.items():
        try:
            rule = spec.rule(name)
        except KeyError as exc:
            problems.append(str(exc.args[0]))
            continue
        if rule.kind in _PER_RULE:
            try:
                evidence.extend(_PER_RULE[rule.kind](spec, rule, group, problems))
            except (GanzhiError, ValueError) as exc:
                problems.append(f"{spec.name}/{rule.name}: {exc}")
            continue
        reader = _PER_PAGE.get(rule.kind)
        for page in group if reader is not None else []:
            try:
                evidence.extend(reader(spec, rule, page, problems))  # type: ignore[misc]
            except (GanzhiError, ValueError) as exc:
                problems.append(f"{page.url}: {rule.kind}: {exc}")
    return Extraction(evidence=evidence, problems=problems)
