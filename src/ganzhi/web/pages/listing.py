"""What every filtered list page shares: its page/per parameters and the CSV/XLSX export of exactly the
rows its filters select (the issue queue and the submissions list answer exports through here).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import Response

from ganzhi.outputs.sheets import Sheet, to_csv, to_xlsx
from ganzhi.web.config import WebConfig
from ganzhi.web.pages.labels import beijing_today

#: Formats a list exports.
EXPORTS = ("csv", "xlsx")


@dataclass(frozen=True, slots=True)
class Paging:
    """A checked page number and page size (1-based page; size within the configured bound)."""

    page: int
    per: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per


def paging(request: Request) -> Paging:
    """`page` and `per` from the query string; out-of-range or non-numeric values are a 422."""
    config: WebConfig = request.app.state.config
    params = request.query_params
    try:
        number = int(params.get("page", "1"))
        per = int(params.get("per", str(config.page_rows)))
    except ValueError:
        raise HTTPException(422, "page 与 per 须为整数 / page and per must be whole numbers") from None
    if not 1 <= per <= config.max_page_rows or number < 1:
        raise HTTPException(
            422,
            f"per 须在 1..{config.max_page_rows}，page ≥ 1 / per must be 1..{config.max_page_rows} and page ≥ 1 "
            f"(got per={per}, page={number})",
        )
    return Paging(number, per)


def export_format(request: Request) -> str:
    """The requested export (`csv`, `xlsx`) or "" for the page itself; anything else is a 422."""
    export = request.query_params.get("export", "")
    if export and export not in EXPORTS:
        raise HTTPException(422, f"export: 应为 csv 或 xlsx / expected 'csv' or 'xlsx', got {export[:20]!r}")
    return export


def export_limit(request: Request) -> int:
    """How many rows an export reads: one more than it may hold, so `check_export_total` can refuse."""
    config: WebConfig = request.app.state.config
    return config.max_export_rows + 1


def check_export_total(request: Request, total: int) -> None:
    """Refuse (422) an export of more rows than the configured bound instead of cutting it silently."""
    config: WebConfig = request.app.state.config
    if total > config.max_export_rows:
        raise HTTPException(
            422,
            f"export: 选中 {total} 行，最多 {config.max_export_rows} 行，请缩小筛选范围 / "
            f"{total} rows selected, at most {config.max_export_rows}; narrow the filters",
        )


def export_response(sheet: Sheet, export: str, stem: str) -> Response:
    """The sheet as a CSV (UTF-8 with BOM, for Excel) or XLSX download named `<stem>-<Beijing date>`."""
    if export == "csv":
        body = ("\ufeff" + to_csv([sheet.header, *sheet.rows])).encode("utf-8")
        media = "text/csv; charset=utf-8"
    else:
        body = to_xlsx([sheet])
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = f'attachment; filename="{stem}-{beijing_today().isoformat()}.{export}"'
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


#: Longest filter value read from the query string (characters).
MAX_PARAM = 100


def text_param(request: Request, name: str) -> str:
    """A filter's text value, cut to `MAX_PARAM` characters."""
    return request.query_params.get(name, "").strip()[:MAX_PARAM]


def choice_param(request: Request, name: str, choices: Iterable[str]) -> str:
    """A filter that must be one of `choices` (or empty); anything else is a 422 naming the choices."""
    value = text_param(request, name)
    allowed = list(choices)
    if value and value not in allowed:
        raise HTTPException(422, f"{name}: 应为 {allowed} 之一 / expected one of {allowed}, got {value[:20]!r}")
    return value


def day_param(request: Request, name: str) -> dt.date | None:
    """A YYYY-MM-DD filter; a malformed date is a 422."""
    return parse_day(text_param(request, name), name)


def parse_day(value: str, name: str) -> dt.date | None:
    """`value` as a date (empty: no filter); a malformed date is a 422 naming the filter."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise HTTPException(
            422, f"{name}: 应为日期 YYYY-MM-DD / expected a date YYYY-MM-DD, got {value[:20]!r}"
        ) from None


@dataclass(frozen=True, slots=True)
class ListState:
    """One list page's checked query string: its filters, sort, direction and page (links keep them all)."""

    path: str
    filters: Mapping[str, str]
    sort: str
    descending: bool
    paged: Paging
    #: (key, label) of the sorts this list offers, in the order the select shows them.
    sorts: Sequence[tuple[str, str]] = ()

    @property
    def page(self) -> int:
        return self.paged.page

    @property
    def per(self) -> int:
        return self.paged.per

    def get(self, name: str) -> str:
        return self.filters.get(name, "")

    def params(self, **changes: Any) -> str:
        values: dict[str, Any] = {**self.filters, "sort": self.sort, "desc": "1" if self.descending else ""}
        values.update(page=self.page, per=self.per)
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    def href(self, **changes: Any) -> str:
        return f"{self.path}?{self.params(**changes)}"

    def pages(self, total: int) -> int:
        return max(1, math.ceil(total / self.per))


def list_state(
    request: Request, path: str, filters: Mapping[str, str], sorts: Mapping[str, str], default: str, descending: bool
) -> ListState:
    """The list's state from the query string: `sort` one of `sorts` (else 422), `desc` 1/0, page/per checked."""
    sort = choice_param(request, "sort", sorts) or default
    raw = request.query_params.get("desc")
    if raw not in (None, "", "0", "1"):
        raise HTTPException(422, f"desc: 应为 0 或 1 / expected 0 or 1, got {raw[:20]!r}")
    down = descending if not raw else raw == "1"
    return ListState(path, dict(filters), sort, down, paging(request), tuple(sorts.items()))


def context(state: ListState, total: int, lang: str, labels: Mapping[str, str]) -> dict[str, Any]:
    """What the shared pager/sort/export partial (`_listing.html`) reads."""
    pages = state.pages(total)
    return {
        "ls": state,
        "total": total,
        "pages": pages,
        "page_label": labels["page_of"].format(page=state.page, pages=pages, total=total),
        "lang": lang,
    }
