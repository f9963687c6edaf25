"""The browser speed test on the public portal: the probe's own page and its endpoints, plus the diagnosis.

`probes/speedtest/page.html` is served under `/speedtest/` with its absolute URLs moved under the
prefix; `/speedtest/ping`, `/download` and `/upload` behave as the probe server's (`server.py`):
incompressible bytes from a random pool, an upload sink that counts, an empty ping. Each stream
holds a slot; past `speedtest_max_streams` the answer is 503, sizes are capped by the web config.
The diagnosis form feeds `probes.speedtest.diagnosis.diagnose` with the measured figures and what the
visitor knows about the set-up (cable, NIC, Wi-Fi, contracted rate).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import AsyncIterator
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import ValidationError

from ganzhi.collect.speedtest.diagnosis import diagnose
from ganzhi.collect.speedtest.server import CHUNK, RANDOM_POOL
from ganzhi.evidence.speedtest import EnvironmentFacts, SpeedtestResult
from ganzhi.web.deps import CallerDep
from ganzhi.web.pages.render import page

router = APIRouter(prefix="/speedtest")
PREFIX = "/speedtest"
_STRIDE = 1_048_573
_ENV_FIELDS = ("connection", "wifi_standard", "wifi_band", "nic_mbps", "cable_category", "router_port_mbps")
_FIGURES = ("download_mbps", "upload_mbps", "latency_ms", "jitter_ms")


def _probe_page() -> str:
    """The probe's page with its endpoints under the prefix and a link to the diagnosis form."""
    text = resources.files("ganzhi.collect.speedtest").joinpath("page.html").read_text(encoding="utf-8")
    for path in ("/ping?", "/download?", "/upload?"):
        text = text.replace(f'"{path}', f'"{PREFIX}{path}')
    link = (
        '<p><a id="diagnose" href="diagnose">诊断网速瓶颈 / diagnose the result</a> · <a href="/">返回 / back</a></p>\n'
        "<script>\n"
        "new MutationObserver(() => {\n"
        '  try { const r = JSON.parse(document.getElementById("json").textContent);\n'
        "    const q = new URLSearchParams();\n"
        "    for (const k of Object.keys(r)) if (r[k] !== null) q.set(k, r[k].toFixed(2));\n"
        '    document.getElementById("diagnose").href = "diagnose?" + q.toString(); } catch (e) {}\n'
        '}).observe(document.getElementById("json"), { childList: true });\n'
        "</script>\n"
    )
    return text.replace("</body>", link + "</body>")


class SpeedtestEndpoints:
    """Random pool, stream slots and size caps shared by the speed-test routes of one process."""

    def __init__(self, max_download_bytes: int, max_upload_bytes: int, max_streams: int) -> None:
        self.max_download_bytes = max_download_bytes
        self.max_upload_bytes = max_upload_bytes
        self.max_streams = max_streams
        self._pool = os.urandom(RANDOM_POOL + CHUNK)
        self._offset = 0
        self._open = 0
        self._lock = threading.Lock()
        self.page = _probe_page()

    def chunk(self, size: int) -> bytes:
        with self._lock:
            start = self._offset
            self._offset = (self._offset + _STRIDE) % RANDOM_POOL
        return self._pool[start : start + size]

    def acquire(self) -> None:
        with self._lock:
            if self._open >= self.max_streams:
                raise HTTPException(503, f"speed test busy: {self.max_streams} streams running, retry later")
            self._open += 1

    def release(self) -> None:
        with self._lock:
            self._open -= 1


def _endpoints(request: Request) -> SpeedtestEndpoints:
    found: SpeedtestEndpoints = request.app.state.speedtest
    return found


@router.get("/", response_class=HTMLResponse)
def speedtest_page(request: Request) -> Response:
    return HTMLResponse(_endpoints(request).page, headers={"Cache-Control": "no-store"})


@router.get("/ping")
async def ping() -> Response:
    return Response(status_code=200, headers={"Cache-Control": "no-store"})


@router.get("/download")
async def download(request: Request, size: Annotated[int, Query(alias="bytes")] = 100 << 20) -> Response:
    """`bytes` random bytes (capped), never compressible (the probe page's parameter name)."""
    endpoints = _endpoints(request)
    if size < 0 or size > endpoints.max_download_bytes:
        raise HTTPException(422, f"bytes must be 0..{endpoints.max_download_bytes} (got {size})")
    endpoints.acquire()

    async def body() -> AsyncIterator[bytes]:
        left = size
        try:
            while left > 0:
                if await request.is_disconnected():
                    return
                piece = endpoints.chunk(min(CHUNK, left))
                left -= len(piece)
                yield piece
        finally:
            endpoints.release()

    headers = {"Content-Length": str(size), "Cache-Control": "no-store"}
    return StreamingResponse(body(), media_type="application/octet-stream", headers=headers)


@router.post("/upload")
async def upload(request: Request) -> Response:
    """A sink: counts the body (capped by the body-limit middleware and here) and answers with the count."""
    endpoints = _endpoints(request)
    endpoints.acquire()
    received = 0
    started = dt.datetime.now(dt.UTC)
    try:
        async for piece in request.stream():
            received += len(piece)
            if received > endpoints.max_upload_bytes:
                raise HTTPException(413, f"upload over {endpoints.max_upload_bytes} bytes")
    finally:
        endpoints.release()
    seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
    return JSONResponse({"received": received, "seconds": round(seconds, 6)})


def _number(raw: str | None) -> float | None:
    if raw is None or not raw.strip():
        return None
    try:
        return float(raw)
    except ValueError:
        return None


@router.get("/diagnose", response_class=HTMLResponse)
def diagnosis(request: Request, caller: CallerDep) -> Response:
    """The diagnosis form; with figures in the query it also shows what limits the speed."""
    query = request.query_params
    values: dict[str, Any] = {name: query.get(name, "")[:40] for name in (*_FIGURES, *_ENV_FIELDS, "contract")}
    findings: list[dict[str, str]] = []
    error: str | None = None
    if _number(query.get("download_mbps")) is not None:
        env = {k: (_number(query.get(k)) if k.endswith("_mbps") else query.get(k) or None) for k in _ENV_FIELDS}
        try:
            result = SpeedtestResult(
                server="ganzhi web",
                started_at=dt.datetime.now(dt.UTC),
                contract_down_mbps=_number(query.get("contract")),
                environment=EnvironmentFacts.model_validate({k: v for k, v in env.items() if v is not None}),
                **{k: _number(query.get(k)) for k in _FIGURES},
            )
        except ValidationError as exc:
            error = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        else:
            findings = [
                {"kind": f.kind, "zh": f.message.zh, "en": f.message.en or f.message.zh} for f in diagnose(result)
            ]
    context = {"values": values, "findings": findings, "error": error}
    return page(request, "speedtest_diagnose.html", caller.principal, context)
