"""HTML rendering of a snapshot (Jinja2 with autoescape: app names come from outside and may be hostile)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ganzhi.supervision.publications import Publication, beijing_date
from ganzhi.supervision.render.columns import CAPTIONS, HEADERS, Cell, present, rows
from ganzhi.supervision.render.tabular import seal_lines


@dataclass(frozen=True, slots=True)
class _Table:
    caption: str
    header: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("ganzhi.supervision.render", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def to_html(pub: Publication) -> str:
    """The snapshot as a standalone HTML page (also the input of the PDF)."""
    body = pub.content()
    tables = [_Table(CAPTIONS[name], HEADERS[name], rows(body, name)) for name in present(body)]
    issued = beijing_date(pub.approved_at) if pub.approved_at else None
    return _environment().get_template("publication.html.j2").render(
        title=pub.title,
        body=body,
        issued_on=f"{issued.year}年{issued.month}月{issued.day}日" if issued else "",
        tables=tables,
        seal=seal_lines(pub),
    )
