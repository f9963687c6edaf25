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
import re
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import ValidationError
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from ganzhi.collect.speedtest.diagnosis import diagnose
from ganzhi.collect.speedtest.server import CHUNK, RANDOM_POOL
from ganzhi.evidence.speedtest import EnvironmentFacts, SpeedtestResult
from ganzhi.web.deps import CallerDep, client_address
from ganzhi.web.pages.render import language, page

router = APIRouter(prefix="/speedtest")
PREFIX = "/speedtest"
_STRIDE = 1_048_573
_ENV_FIELDS = ("connection", "wifi_standard", "wifi_band", "nic_mbps", "cable_category", "router_port_mbps")
_FIGURES = ("download_mbps", "upload_mbps", "latency_ms", "jitter_ms")
#: Test ids whose received-byte counts are kept (oldest dropped first), and the accepted id shape.
MAX_TESTS = 1000
#: Seconds between the upload samples the server keeps per test, and the most it keeps (two minutes).
SAMPLE_S = 0.05
MAX_SAMPLES = 2400
TEST_ID = re.compile(r"^[0-9a-f]{1,32}$")


#: Sends the measured figures to the diagnosis link once the probe page has written its JSON result.
_DIAGNOSE_LINK_JS = """
new MutationObserver(() => {
  try { const r = JSON.parse(document.getElementById("json").textContent);
    const q = new URLSearchParams();
    for (const k of Object.keys(r)) if (r[k] !== null) q.set(k, r[k].toFixed(2));
    document.getElementById("diagnose").href = "diagnose?" + q.toString(); } catch (e) {}
}).observe(document.getElementById("json"), { childList: true });
"""


def _between(text: str, start: str, end: str) -> tuple[str, str, str]:
    """(before, inside, after) of the first `start`…`end` block; ValueError names a missing marker."""
    head, found, rest = text.partition(start)
    inside, closed, tail = rest.partition(end)
    if not found or not closed:
        raise ValueError(f"probe page has no {start}…{end} block")
    return head, inside, tail


def _probe_assets() -> tuple[str, str, str]:
    """The probe page's body (for the site's layout, which keeps the header), CSS and JS (the site's CSP
    runs no inline script or style), with its endpoints under the prefix and a link to the diagnosis."""
    text = resources.files("ganzhi.collect.speedtest").joinpath("page.html").read_text(encoding="utf-8")
    _, css, after = _between(text, "<style>", "</style>")
    _, body, _ = _between(after, "<body>", "</body>")
    before, script, rest = _between(body, "<script>", "</script>")
    for path in ("/ping?", "/download?", "/upload?", "/progress?", "/diagnose.json?"):
        script = script.replace(f'"{path}', f'"{PREFIX}{path}')
    link = '<p><a id="diagnose" href="diagnose">诊断网速瓶颈 / diagnose the result</a></p>\n'
    # The probe page styles `body`; inside the site it styles only its own block.
    css = css.replace("body {", "#speedtest-probe {")
    return before + rest + link, css, script + _DIAGNOSE_LINK_JS


class SpeedtestEndpoints:
    """Random pool, stream slots and size caps shared by the speed-test routes of one process."""

    def __init__(
        self, max_download_bytes: int, max_upload_bytes: int, max_streams: int, max_streams_per_client: int = 6
    ) -> None:
        self.max_download_bytes = max_download_bytes
        self.max_upload_bytes = max_upload_bytes
        self.max_streams = max_streams
        self.max_streams_per_client = max_streams_per_client
        self._pool = os.urandom(RANDOM_POOL + CHUNK)
        self._offset = 0
        self._open = 0
        self._per_client: dict[str, int] = {}
        #: test id → [(server seconds, bytes received so far)], one point per `SAMPLE_S` plus the latest.
        self._received: OrderedDict[str, list[tuple[float, int]]] = OrderedDict()
        self._started = time.monotonic()
        self._lock = threading.Lock()
        self.page, self.css, self.js = _probe_assets()

    def chunk(self, size: int) -> bytes:
        with self._lock:
            start = self._offset
            self._offset = (self._offset + _STRIDE) % RANDOM_POOL
        return self._pool[start : start + size]

    def count(self, test: str, size: int) -> None:
        """Add `size` received bytes to a test's upload samples (ids beyond `MAX_TESTS` evict the oldest).

        The server samples what it received by its own clock, so the page's upload figure is bytes over
        time like the CLI's, not whole request bodies as the browser reports them.
        """
        now = time.monotonic() - self._started
        with self._lock:
            samples = self._received.pop(test, None)
            if samples is None:
                samples = [(now, 0)]
            total = samples[-1][1] + size
            if (len(samples) >= 2 and now - samples[-2][0] < SAMPLE_S) or len(samples) >= MAX_SAMPLES:
                samples[-1] = (now, total)
            else:
                samples.append((now, total))
            self._received[test] = samples
            while len(self._received) > MAX_TESTS:
                self._received.popitem(last=False)

    def received(self, test: str) -> tuple[int, float, list[tuple[float, int]]]:
        """(bytes received, server seconds now, samples) of a test, for the page's upload figure and curve."""
        with self._lock:
            samples = list(self._received.get(test, []))
        return (samples[-1][1] if samples else 0), time.monotonic() - self._started, samples

    def acquire(self, client: str) -> None:
        """Take a stream slot for `client`: 429 past its own share, 503 when every slot is taken."""
        with self._lock:
            mine = self._per_client.get(client, 0)
            if mine >= self.max_streams_per_client:
                raise HTTPException(
                    429, f"测速连接过多 / this address already runs {mine} speed-test streams (limit), retry later"
                )
            if self._open >= self.max_streams:
                raise HTTPException(503, f"speed test busy: {self.max_streams} streams running, retry later")
            self._open += 1
            self._per_client[client] = mine + 1

    def release(self, client: str) -> None:
        with self._lock:
            self._open -= 1
            left = self._per_client.get(client, 0) - 1
            if left > 0:
                self._per_client[client] = left
            else:
                self._per_client.pop(client, None)


def _endpoints(request: Request) -> SpeedtestEndpoints:
    found: SpeedtestEndpoints = request.app.state.speedtest
    return found


@router.get("/", response_class=HTMLResponse)
def speedtest_page(request: Request, caller: CallerDep) -> Response:
    """The probe page inside the site's layout (header, language toggle, sign-in state)."""
    response = page(request, "speedtest.html", caller.principal, {"probe": _endpoints(request).page})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/progress")
async def progress(request: Request, test: str = "") -> Response:
    """Bytes the server received so far for one test id, with the server's clock: the page's upload sample."""
    if not TEST_ID.match(test):
        raise HTTPException(422, "test must be the page's hex test id (1-32 characters 0-9a-f)")
    received, seconds, samples = _endpoints(request).received(test)
    body = {"received": received, "seconds": round(seconds, 6), "samples": [[round(t, 4), n] for t, n in samples]}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/page.js")
def speedtest_script(request: Request) -> Response:
    return Response(_endpoints(request).js, media_type="text/javascript; charset=utf-8")


@router.get("/page.css")
def speedtest_style(request: Request) -> Response:
    return Response(_endpoints(request).css, media_type="text/css; charset=utf-8")


@router.get("/ping")
async def ping() -> Response:
    return Response(status_code=200, headers={"Cache-Control": "no-store"})


@router.get("/download")
async def download(request: Request, size: Annotated[int, Query(alias="bytes")] = 100 << 20) -> Response:
    """`bytes` random bytes (capped), never compressible (the probe page's parameter name)."""
    endpoints = _endpoints(request)
    if size < 0 or size > endpoints.max_download_bytes:
        raise HTTPException(422, f"bytes must be 0..{endpoints.max_download_bytes} (got {size})")
    client = client_address(request)
    endpoints.acquire(client)
    lease = _Lease(endpoints, client)

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
            lease.release()

    headers = {"Content-Length": str(size), "Cache-Control": "no-store"}
    return _LeasedStream(body(), lease, media_type="application/octet-stream", headers=headers)


class _Lease:
    """One stream slot, released exactly once (by the body's end or by the response's end, whichever first)."""

    def __init__(self, endpoints: SpeedtestEndpoints, client: str) -> None:
        self._endpoints = endpoints
        self._client = client
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._endpoints.release(self._client)


class _LeasedStream(StreamingResponse):
    """A streaming answer that gives its slot back even when the client left before the body started."""

    def __init__(self, content: AsyncIterator[bytes], lease: _Lease, **options: Any) -> None:
        super().__init__(content, **options)
        self.lease = lease

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.lease.release()


@router.post("/upload")
async def upload(request: Request) -> Response:
    """A sink: counts the body (capped by the body-limit middleware and here) and answers with the count."""
    endpoints = _endpoints(request)
    client = client_address(request)
    endpoints.acquire(client)
    received = 0
    started = dt.datetime.now(dt.UTC)
    test = request.query_params.get("test", "")
    counted = bool(TEST_ID.match(test))
    try:
        async for piece in request.stream():
            received += len(piece)
            if counted:
                endpoints.count(test, len(piece))
            if received > endpoints.max_upload_bytes:
                raise HTTPException(413, f"upload over {endpoints.max_upload_bytes} bytes")
    except ClientDisconnect:
        # The page aborts its upload streams when the test time is up: expected, the bytes are counted.
        return Response(status_code=204)
    finally:
        endpoints.release(client)
    seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
    return JSONResponse({"received": received, "seconds": round(seconds, 6)})


def _number(raw: str | None) -> float | None:
    if raw is None or not raw.strip():
        return None
    try:
        return float(raw)
    except ValueError:
        return None


def _findings(query: Any) -> tuple[list[dict[str, str]], str | None]:
    """The diagnosis of the figures in the query (empty without a download figure) or the input error."""
    if _number(query.get("download_mbps")) is None:
        return [], None
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
        return [], "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    found = [{"kind": f.kind, "zh": f.message.zh, "en": f.message.en or f.message.zh} for f in diagnose(result)]
    if not any(f["kind"] != "advice" for f in found):
        found.insert(0, _plain_summary(result))
    return found, None


def _plain_summary(result: SpeedtestResult) -> dict[str, str]:
    """What the figures alone say when the diagnosis has no contract or set-up to compare them with."""
    parts_zh, parts_en = [], []
    if result.download_mbps is not None:
        parts_zh.append(f"下载{result.download_mbps:.1f}Mbit/s")
        parts_en.append(f"{result.download_mbps:.1f} Mbit/s down")
    if result.upload_mbps is not None:
        parts_zh.append(f"上传{result.upload_mbps:.1f}Mbit/s")
        parts_en.append(f"{result.upload_mbps:.1f} Mbit/s up")
    if result.latency_ms is not None:
        parts_zh.append(f"时延{result.latency_ms:.0f}ms")
        parts_en.append(f"{result.latency_ms:.0f} ms latency")
    return {
        "kind": "limit",
        "zh": f"实测{'、'.join(parts_zh)}。填写签约速率和上网方式（网线或Wi-Fi）后，可判断是否达标、瓶颈在哪一段。",
        "en": f"Measured {', '.join(parts_en)}. Give the contracted rate and how the device connects (cable or "
        "Wi-Fi) to see whether it meets the contract and which segment limits it.",
    }


@router.get("/diagnose.json")
def diagnosis_json(request: Request) -> Response:
    """The diagnosis in plain words for the speed-test page (shown under the figures after a test)."""
    findings, error = _findings(request.query_params)
    if error is not None:
        raise HTTPException(422, error)
    lang = language(request)
    return JSONResponse(
        {"findings": [{"kind": f["kind"], "text": f[lang] if lang in f else f["zh"]} for f in findings]}
    )


@router.get("/diagnose", response_class=HTMLResponse)
def diagnosis(request: Request, caller: CallerDep) -> Response:
    """The diagnosis form; with figures in the query it also shows what limits the speed."""
    query = request.query_params
    values: dict[str, Any] = {name: query.get(name, "")[:40] for name in (*_FIGURES, *_ENV_FIELDS, "contract")}
    findings, error = _findings(query)
    context = {"values": values, "findings": findings, "error": error}
    return page(request, "speedtest_diagnose.html", caller.principal, context)
