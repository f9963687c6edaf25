"""The published columns of each list, in MIIT's order, and the rows of a snapshot as plain cells.

Every renderer (CSV, XLSX, HTML, PDF, JSON) takes its header and cells from here, so the formats
cannot drift apart.
"""

from __future__ import annotations

from enum import StrEnum

from ganzhi.supervision.publications import PublicationBody

Cell = str | int | float


class ListName(StrEnum):
    """The lists a snapshot may hold."""

    notice = "notice"
    removal = "removal"
    rankings = "rankings"


HEADERS: dict[ListName, tuple[str, ...]] = {
    ListName.notice: ("序号", "应用名称", "应用开发者", "应用来源", "应用版本", "所涉问题"),
    ListName.removal: ("序号", "软件名称", "企业名称", "下架版本"),
    ListName.rankings: ("类别", "名次", "名称", "得分", "说明"),
}

CAPTIONS: dict[ListName, str] = {
    ListName.notice: "工业和信息化部通报存在问题的应用软件名单",
    ListName.removal: "下架应用软件名单",
    ListName.rankings: "排名",
}


def rows(body: PublicationBody, name: ListName) -> list[tuple[Cell, ...]]:
    """The cells of one list, in published column order."""
    if name is ListName.notice:
        return [(r.number, r.app_name, r.developer, r.source, r.version, r.problem) for r in body.notice]
    if name is ListName.removal:
        return [(r.number, r.software_name, r.enterprise_name, r.version) for r in body.removal]
    return [(r.group, r.rank, r.name, round(r.score, 2), r.detail) for r in body.rankings]


def present(body: PublicationBody) -> list[ListName]:
    """The non-empty lists of a snapshot, in publication order."""
    return [name for name in ListName if rows(body, name)]
