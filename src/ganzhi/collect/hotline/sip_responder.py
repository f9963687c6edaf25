"""A small SIP user agent server that plays an IVR tree: the loopback peer the dial tester is tested on.

It answers INVITE (100, 180, 200 with SDP), walks the menu on DTMF received by SIP INFO
(`application/dtmf-relay`) or RFC 4733 RTP events, follows `timeout` edges after a node's prompt,
and tells the caller where it is with an in-dialog INFO whose body is `application/x-ganzhi-ivr`
(`node=ID`, `human=1` once an agent answers after the node's queue wait). A `hangup` node sends BYE.
`time_scale` shrinks every prompt and wait so tests run in milliseconds.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

from ganzhi.collect.hotline.ivr import IvrMenu
from ganzhi.collect.hotline.rtp_events import parse_event
from ganzhi.collect.hotline.sip_message import SipMessage, SipParseError, new_branch, new_tag, parse_message, sdp

IVR_CONTENT_TYPE = "application/x-ganzhi-ivr"
#: A key equal to the previous one within this many seconds is the same press delivered twice.
DUPLICATE_WINDOW = 0.03


@dataclass(slots=True)
class _Call:
    call_id: str
    peer: tuple[str, int]
    invite: SipMessage
    local_tag: str
    node: str = ""
    entered: float = 0.0
    human_announced: bool = False
    established: bool = False
    cseq: int = 1
    keys: list[str] = field(default_factory=list)
    seen_events: set[tuple[int, int]] = field(default_factory=set)
    ended: bool = False
    last_key: tuple[str, float] = ("", 0.0)


class IvrResponder:
    """Serve one menu on a UDP port until `stop()`; handles one call at a time (enough for tests)."""

    def __init__(self, menu: IvrMenu, host: str = "127.0.0.1", port: int = 0, *, time_scale: float = 1.0) -> None:
        self.menu = menu
        self.time_scale = time_scale
        self.sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sip.bind((host, port))
        self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtp.bind((host, 0))
        self.host = host
        self.port = self.sip.getsockname()[1]
        self.rtp_port = self.rtp.getsockname()[1]
        self.call: _Call | None = None
        self.log: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="ivr-responder", daemon=True)

    def start(self) -> IvrResponder:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop and close the sockets."""
        self._stop.set()
        self._thread.join(timeout=5)
        self.sip.close()
        self.rtp.close()

    def __enter__(self) -> IvrResponder:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        self.sip.settimeout(0.005)
        self.rtp.setblocking(False)
        while not self._stop.is_set():
            try:
                data, peer = self.sip.recvfrom(65_535)
            except TimeoutError:
                data = b""
            except OSError:
                return
            if data:
                self._on_sip(data, peer)
            self._drain_rtp()
            self._tick()

    def _send(self, message: SipMessage, peer: tuple[str, int]) -> None:
        self.sip.sendto(message.to_bytes(), peer)

    def _reply(
        self,
        request: SipMessage,
        status: int,
        reason: str,
        peer: tuple[str, int],
        *,
        tag: str | None = None,
        body: bytes = b"",
        content_type: str | None = None,
    ) -> None:
        headers = [(k, v) for k, v in request.headers if k in {"via", "from", "call-id", "cseq"}]
        to = request.header("to") or ""
        if tag and ";tag=" not in to:
            to = f"{to};tag={tag}"
        headers.append(("to", to))
        headers.append(("contact", f"<sip:ivr@{self.host}:{self.port}>"))
        if content_type:
            headers.append(("content-type", content_type))
        self._send(SipMessage(status=status, reason=reason, headers=headers, body=body), peer)

    def _on_sip(self, data: bytes, peer: tuple[str, int]) -> None:
        try:
            message = parse_message(data)
        except SipParseError as exc:
            self.log.append(f"ignored malformed datagram from {peer}: {exc}")
            return
        if message.method is None:
            return  # responses to our INFO/BYE need no action
        call = self.call
        if message.method == "INVITE":
            if call is None or call.ended or call.call_id != message.header("call-id"):
                call = _Call(call_id=message.header("call-id") or "", peer=peer, invite=message, local_tag=new_tag())
                self.call = call
            self._reply(message, 100, "Trying", peer)
            self._reply(message, 180, "Ringing", peer, tag=call.local_tag)
            self._reply(
                message,
                200,
                "OK",
                peer,
                tag=call.local_tag,
                body=sdp(self.host, self.rtp_port),
                content_type="application/sdp",
            )
        elif call is None or message.header("call-id") != call.call_id:
            self._reply(message, 481, "Call/Transaction Does Not Exist", peer)
        elif message.method == "ACK":
            if not call.established:
                call.established = True
                self._enter(call, self.menu.start)
        elif message.method == "INFO":
            self._reply(message, 200, "OK", peer, tag=call.local_tag)
            digit = _dtmf_relay_digit(message.body)
            if digit is not None:
                self._key(call, digit)
        elif message.method == "BYE":
            self._reply(message, 200, "OK", peer, tag=call.local_tag)
            call.ended = True
        else:
            self._reply(message, 405, "Method Not Allowed", peer, tag=call.local_tag)

    def _drain_rtp(self) -> None:
        while True:
            try:
                packet = self.rtp.recv(2048)
            except (BlockingIOError, OSError):
                return
            event = parse_event(packet)
            call = self.call
            if event is None or call is None or not event.end:
                continue
            key = (event.ssrc, event.timestamp)
            if key in call.seen_events:
                continue  # the end packet is sent three times
            call.seen_events.add(key)
            self._key(call, event.digit)

    def _key(self, call: _Call, digit: str) -> None:
        if not call.established or call.ended:
            return
        now = time.monotonic()
        if call.last_key[0] == digit and now - call.last_key[1] < DUPLICATE_WINDOW:
            return  # the same press sent both by INFO and by RTP ("both" mode)
        call.last_key = (digit, now)
        call.keys.append(digit)
        target = self.menu.nodes[call.node].options.get(digit)
        self.log.append(f"key {digit} at {call.node} -> {target}")
        if target is not None:
            self._enter(call, target)

    def _enter(self, call: _Call, node_id: str) -> None:
        call.node = node_id
        call.entered = time.monotonic()
        call.human_announced = False
        node = self.menu.nodes[node_id]
        self._notify(call, f"node={node_id}\r\nhuman=0\r\n")
        if node.hangup:
            self._bye(call)

    def _tick(self) -> None:
        call = self.call
        if call is None or not call.established or call.ended:
            return
        node = self.menu.nodes[call.node]
        elapsed = (time.monotonic() - call.entered) / max(self.time_scale, 1e-9)
        if node.human and not call.human_announced and elapsed >= node.prompt_seconds + node.wait_seconds:
            call.human_announced = True
            self._notify(call, f"node={call.node}\r\nhuman=1\r\n")
        elif not node.human and node.timeout is not None and elapsed >= node.prompt_seconds:
            self._enter(call, node.timeout)

    def _dialog_request(
        self, call: _Call, method: str, body: bytes = b"", content_type: str | None = None
    ) -> SipMessage:
        call.cseq += 1
        invite = call.invite
        contact = (invite.header("contact") or f"<sip:caller@{call.peer[0]}:{call.peer[1]}>").strip("<>")
        headers = [
            ("via", f"SIP/2.0/UDP {self.host}:{self.port};branch={new_branch()}"),
            ("from", f"{invite.header('to')};tag={call.local_tag}"),
            ("to", invite.header("from") or ""),
            ("call-id", call.call_id),
            ("cseq", f"{call.cseq} {method}"),
            ("max-forwards", "70"),
        ]
        if content_type:
            headers.append(("content-type", content_type))
        return SipMessage(method=method, uri=contact, headers=headers, body=body)

    def _notify(self, call: _Call, body: str) -> None:
        self._send(self._dialog_request(call, "INFO", body.encode("ascii"), IVR_CONTENT_TYPE), call.peer)

    def _bye(self, call: _Call) -> None:
        self._send(self._dialog_request(call, "BYE"), call.peer)
        call.ended = True


def _dtmf_relay_digit(body: bytes) -> str | None:
    """The `Signal=` key of an application/dtmf-relay body, or None."""
    for line in body.decode("ascii", errors="replace").splitlines():
        name, _, value = line.partition("=")
        if name.strip().lower() == "signal" and value.strip():
            return value.strip()[0]
    return None
