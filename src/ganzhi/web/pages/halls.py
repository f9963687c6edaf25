"""The public nearest port-out hall finder (携号转网 携出 营业厅): a place in, the closest halls out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ganzhi.collect.halls.finder import HallFinder, Place
from ganzhi.evidence.halls import OPERATOR_NAMES
from ganzhi.web.deps import CallerDep
from ganzhi.web.pages.render import page

router = APIRouter()
#: Halls shown per search (configurable default).
RESULTS = 5


@router.get("/halls", response_class=HTMLResponse)
def finder(request: Request, caller: CallerDep, place: str = "") -> Response:
    """`place` is a district name (海淀区), a 6-digit adcode or `lat,lon`; ambiguous names list the candidates."""
    halls: HallFinder = request.app.state.halls
    context: dict[str, object] = {
        "place": place[:64],
        "available": halls.available,
        "found": [],
        "where": None,
        "candidates": [],
        "operators": OPERATOR_NAMES,
    }
    if place.strip() and halls.available:
        where = halls.place(place)
        if isinstance(where, Place):
            context["where"] = where
            context["found"] = halls.nearest(where, RESULTS)
        else:
            context["candidates"] = where
    return page(request, "halls.html", caller.principal, context)
