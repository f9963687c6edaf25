"""What every filtered list page shares: its page/per parameters and the CSV/XLSX export of exactly the
rows its filters select (the issue queue and the submissions list answer exports through here).
"""

from __future__ import annotations

from dataclasses import dataclass

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
