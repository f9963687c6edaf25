"""A SIP dial tester: place one call over UDP, follow a menu with DTMF, time the answer and the transfer.

INVITE (retransmitted with RFC 3261 timer A, give up after `timeout`, with a CANCEL when the peer is
already ringing), ACK on the final response (again on each 2xx retransmission), DTMF by SIP INFO
(`application/dtmf-relay`), RFC 4733 RTP events, or both, then BYE. The peer's in-dialog
INFO with an `application/x-ganzhi-ivr` body (`node=…`, `human=1`) marks menu nodes and the moment an
agent answers — our IVR responder sends it; other peers give answer timing and DTMF delivery only.
Every malformed datagram, refusal or silence becomes an entry in `DialReport.errors`; nothing blocks
longer than the configured timeouts.
"""

from __future__ import annotations

import random
import socket
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from ganzhi.collect.hotline.rtp_events import digit_packets
from ganzhi.collect.hotline.sip_message import (
    SipMessage,
    SipParseError,
    SipUri,
    new_branch,
    new_tag,
    parse_message,
    sdp,
    sdp_media,
)

DtmfMode = Literal["info", "rfc4733", "both"]
TIMER_T1 = 0.5
TIMER_T2 = 4.0  # RFC 3261: the cap of non-INVITE retransmission intervals


@dataclass(slots=True)
class Retransmission:
    """When to (re)send a request over UDP: at once, then after T1, 2·T1, 4·T1 … (RFC 3261 timers A and E);
    `cap` bounds the interval (T2 for non-INVITE requests; None for INVITE, whose timer A keeps doubling)."""

    cap: float | None = TIMER_T2
    interval: float = TIMER_T1
    next_send: float = field(default_factory=time.monotonic)

    def due(self) -> bool:
        """True when the next copy should go out now."""
        return time.monotonic() >= self.next_send

    def sent(self) -> None:
        """Schedule the copy after the one just sent."""
        self.next_send = time.monotonic() + self.interval
        self.interval = self.interval * 2 if self.cap is None else min(self.interval * 2, self.cap)
IVR_CONTENT_TYPE = "application/x-ganzhi-ivr"


@dataclass(slots=True)
class DialReport:
    """What one dial attempt saw; times are seconds from sending the INVITE, transfer from the answer."""

    uri: str
    status: str = "error"
    final_code: int | None = None
    final_reason: str = ""
    seconds_to_ringing: float | None = None
    seconds_to_answer: float | None = None
    seconds_to_human: float | None = None
    dtmf_sent: list[str] = field(default_factory=list)
    dtmf_mode: str = "info"
    nodes: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """JSON form for `ganzhi hotline dial --format json`."""
        return {
            "uri": self.uri,
            "status": self.status,
            "final_code": self.final_code,
            "final_reason": self.final_reason,
            "seconds_to_ringing": _round(self.seconds_to_ringing),
            "seconds_to_answer": _round(self.seconds_to_answer),
            "seconds_to_human": _round(self.seconds_to_human),
            "dtmf_sent": self.dtmf_sent,
            "dtmf_mode": self.dtmf_mode,
            "nodes": self.nodes,
            "errors": self.errors,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


class SipDialer:
    """Places calls from a local UDP port; one instance per call."""

    def __init__(self, target: SipUri, *, local_host: str = "127.0.0.1", timeout: float = 5.0) -> None:
        self.target = target
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((local_host, 0))
        self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtp.bind((local_host, 0))
        self.local_host = local_host
        self.local_port = self.sock.getsockname()[1]
        self.call_id = f"{new_tag()}@{local_host}"
        self.tag = new_tag()
        self.cseq = 1
        self.invite_branch = new_branch()
        self.provisional = False
        self.invite_cseq = self.cseq
        self.ack_2xx: bytes | None = None
        self.remote_tag = ""
        self.remote_target: str = str(target)
        self.remote_rtp: tuple[str, int] | None = None
        self.human_at: float | None = None
        self.t0 = 0.0
        self.report = DialReport(uri=str(target))

    def close(self) -> None:
        """Release the sockets."""
        self.sock.close()
        self.rtp.close()

    # --- messages -------------------------------------------------------------------------------
    def _request(
        self, method: str, cseq: int, *, branch: str | None = None, body: bytes = b"", content_type: str | None = None
    ) -> SipMessage:
        to = f"<sip:{self.target.user}@{self.target.host}>" + (f";tag={self.remote_tag}" if self.remote_tag else "")
        headers = [
            ("via", f"SIP/2.0/UDP {self.local_host}:{self.local_port};branch={branch or new_branch()};rport"),
            ("max-forwards", "70"),
            ("from", f"<sip:ganzhi@{self.local_host}>;tag={self.tag}"),
            ("to", to),
            ("call-id", self.call_id),
            ("cseq", f"{cseq} {method}"),
            ("contact", f"<sip:ganzhi@{self.local_host}:{self.local_port}>"),
            ("user-agent", "ganzhi-dial"),
        ]
        if content_type:
            headers.append(("content-type", content_type))
        uri = str(self.target) if method == "INVITE" else self.remote_target
        return SipMessage(method=method, uri=uri, headers=headers, body=body)

    def _send(self, message: SipMessage) -> None:
        self.sock.send(message.to_bytes())

    def _receive(self, deadline: float) -> SipMessage | None:
        """Next valid SIP message before `deadline`; answers the peer's requests on the way."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(min(left, 0.05))
            try:
                data = self.sock.recv(65_535)
            except TimeoutError:
                continue
            except ConnectionRefusedError:
                raise ConnectionRefusedError(
                    f"{self.target.host}:{self.target.port} refused (ICMP port unreachable)"
                ) from None
            try:
                message = parse_message(data)
            except SipParseError as exc:
                self.report.errors.append(f"malformed SIP datagram from {self.target.host}:{self.target.port}: {exc}")
                continue
            if message.header("call-id") != self.call_id:
                self.report.errors.append(f"ignored a message for another Call-ID ({message.header('call-id')!r})")
                continue
            if message.method is not None:
                self._answer_request(message)
                continue
            if self.ack_2xx is not None and self._is_2xx_to_invite(message):
                # the peer retransmits its 2xx until our ACK arrives: each copy gets the same ACK again
                # (RFC 3261 §13.2.2.4), or it gives up after 64*T1 and hangs up on a call we think is up
                self.sock.send(self.ack_2xx)
                continue
            return message

    def _is_2xx_to_invite(self, message: SipMessage) -> bool:
        return (
            message.status is not None and 200 <= message.status < 300 and message.cseq == (self.invite_cseq, "INVITE")
        )

    def _answer_request(self, request: SipMessage) -> None:
        headers = [(k, v) for k, v in request.headers if k in {"via", "from", "to", "call-id", "cseq"}]
        self.sock.send(SipMessage(status=200, reason="OK", headers=headers).to_bytes())
        if request.method == "INFO" and (request.header("content-type") or "").startswith(IVR_CONTENT_TYPE):
            fields = dict(
                line.split("=", 1) for line in request.body.decode("utf-8", "replace").splitlines() if "=" in line
            )
            at = time.monotonic() - self.t0
            node = {
                "node": fields.get("node", "").strip(),
                "human": fields.get("human", "0").strip() == "1",
                "at": round(at, 3),
            }
            self.report.nodes.append(node)
            if node["human"] and self.human_at is None:
                self.human_at = at
        elif request.method == "BYE":
            self.report.nodes.append(
                {"node": "<peer hung up>", "human": False, "at": round(time.monotonic() - self.t0, 3)}
            )
            self.remote_tag = ""  # dialog over

    def _transaction(self, message: SipMessage, deadline: float) -> SipMessage | None:
        """Send a non-INVITE request with retransmissions until its final response or the deadline."""
        number, method = message.cseq
        schedule = Retransmission()
        while time.monotonic() < deadline:
            try:
                if schedule.due():
                    self._send(message)
                    schedule.sent()
                response = self._receive(min(deadline, schedule.next_send))
            except ConnectionRefusedError as exc:
                raise ConnectionRefusedError(f"{method}: {exc}") from None
            if (
                response is not None
                and response.status is not None
                and response.status >= 200
                and response.cseq == (number, method)
            ):
                return response
        return None

    # --- the call ---------------------------------------------------------------------------------
    def _invite(self) -> SipMessage | None:
        invite = self._request(
            "INVITE",
            self.cseq,
            branch=self.invite_branch,
            body=sdp(self.local_host, self.rtp.getsockname()[1]),
            content_type="application/sdp",
        )
        deadline = self.t0 + self.timeout
        schedule = Retransmission(cap=None)
        while time.monotonic() < deadline:
            if not self.provisional and schedule.due():
                self._send(invite)
                schedule.sent()
            response = self._receive(deadline if self.provisional else min(deadline, schedule.next_send))
            if response is None or response.cseq != (self.cseq, "INVITE") or response.status is None:
                continue
            if response.status < 200:
                self.provisional = True
                if response.status in (180, 183) and self.report.seconds_to_ringing is None:
                    self.report.seconds_to_ringing = time.monotonic() - self.t0
                continue
            return response
        return None

    def _ack(self, response: SipMessage) -> None:
        """ACK a final response. For a non-2xx it is part of the INVITE's client transaction and must
        reuse the INVITE's Via branch (RFC 3261 §17.1.1.3), or a stateful peer cannot match it and keeps
        retransmitting the error; the ACK of a 2xx is a new transaction with a fresh branch (§13.2.2.4)."""
        failed = response.status is not None and response.status >= 300
        ack = self._request("ACK", self.invite_cseq, branch=self.invite_branch if failed else None)
        self._send(ack)
        if not failed:
            self.ack_2xx = ack.to_bytes()

    def _adopt(self, final: SipMessage) -> None:
        """Take the peer's tag (and, for a 2xx, its Contact as remote target) from a final response."""
        to = final.header("to") or ""
        self.remote_tag = to.split(";tag=", 1)[1].split(";")[0] if ";tag=" in to else ""
        contact = (final.header("contact") or "").strip()
        if final.status is not None and final.status < 300 and contact.startswith("<") and ">" in contact:
            self.remote_target = contact[1 : contact.index(">")]

    def _cancel(self) -> None:
        """Give up on a call that rings past the timeout: CANCEL in the INVITE's transaction (same branch,
        RFC 3261 §9.1) and ACK the 487, so the far end stops ringing instead of waiting for its own timers."""
        cancel = self._request("CANCEL", self.invite_cseq, branch=self.invite_branch)
        deadline = time.monotonic() + self.timeout
        schedule, cancel_answered = Retransmission(), False
        while time.monotonic() < deadline:
            if not cancel_answered and schedule.due():
                self._send(cancel)
                schedule.sent()
            response = self._receive(deadline if cancel_answered else min(deadline, schedule.next_send))
            if response is None or response.status is None or response.status < 200:
                continue
            if response.cseq == (self.invite_cseq, "CANCEL"):
                cancel_answered = True
            elif response.cseq == (self.invite_cseq, "INVITE"):
                self._adopt(response)
                self._ack(response)
                if response.status < 300:  # answered while we cancelled: the dialog exists, end it
                    self.report.errors.append("answered after the CANCEL; hung up with BYE")
                    self._bye()
                return
        self.report.errors.append("CANCEL sent but the INVITE was not terminated (no 487)")

    def _bye(self) -> None:
        """End the dialog; a BYE nobody answers is an error of the report, not a hang."""
        self.cseq += 1
        if self._transaction(self._request("BYE", self.cseq), time.monotonic() + self.timeout) is None:
            self.report.errors.append("no response to BYE")

    def _send_digit(self, digit: str, mode: DtmfMode, seq: int, timestamp: int, ssrc: int, deadline: float) -> None:
        if mode in ("info", "both"):
            self.cseq += 1
            body = f"Signal={digit}\r\nDuration=160\r\n".encode("ascii")
            reply = self._transaction(
                self._request("INFO", self.cseq, body=body, content_type="application/dtmf-relay"), deadline
            )
            if reply is None:
                self.report.errors.append(f"no final response to INFO for DTMF {digit!r}")
            elif reply.status != 200:
                self.report.errors.append(f"INFO for DTMF {digit!r} answered {reply.status} {reply.reason}")
        if mode in ("rfc4733", "both"):
            if self.remote_rtp is None:
                self.report.errors.append(f"cannot send RFC 4733 DTMF {digit!r}: the answer has no audio stream")
            else:
                for packet in digit_packets(digit, seq, timestamp, ssrc):
                    self.rtp.sendto(packet, self.remote_rtp)

    def dial(
        self, dtmf: str = "", *, mode: DtmfMode = "info", digit_gap: float = 0.5, wait_human: float = 30.0
    ) -> DialReport:
        """Run the whole call and return its report (never raises for network or peer problems)."""
        self.report.dtmf_mode = mode
        self.t0 = time.monotonic()
        try:
            # a connected UDP socket reports ICMP "port unreachable" as ConnectionRefusedError
            self.sock.connect((self.target.host, self.target.port))
            self._call(dtmf, mode, digit_gap, wait_human)
        except ConnectionRefusedError as exc:
            self._peer_lost(str(exc))
        except OSError as exc:
            self._peer_lost(f"{self.target.host}:{self.target.port}: {exc.strerror or exc}")
        finally:
            self.close()
        return self.report

    def _peer_lost(self, error: str) -> None:
        """A peer that goes away after answering did answer: keep the status, record the error."""
        if self.report.status not in ("answered", "human"):
            self.report.status = "unreachable"
        self.report.errors.append(error)

    def _call(self, dtmf: str, mode: DtmfMode, digit_gap: float, wait_human: float) -> None:
        final = self._invite()
        if final is None:
            self.report.status = "timeout"
            self.report.errors.append(f"no final response to INVITE within {self.timeout:g} s")
            if self.provisional:
                self._cancel()
            return
        self.report.final_code, self.report.final_reason = final.status, final.reason
        self._adopt(final)
        if final.status is None or final.status >= 300:
            self._ack(final)
            self.report.status = "rejected"
            return
        answered = time.monotonic()
        self.report.seconds_to_answer = answered - self.t0
        self.remote_rtp = sdp_media(final.body)
        self._ack(final)
        self.report.status = "answered"
        seq, timestamp, ssrc = random.randrange(1 << 16), random.randrange(1 << 31), random.randrange(1 << 31)
        for key in dtmf:
            pause_until = time.monotonic() + digit_gap
            while time.monotonic() < pause_until:
                self._receive(pause_until)
            if key == ",":
                continue
            self._send_digit(key, mode, seq, timestamp, ssrc, time.monotonic() + self.timeout)
            self.report.dtmf_sent.append(key)
            seq += 6
            timestamp += 1600
        human_deadline = time.monotonic() + wait_human
        while self.human_at is None and self.remote_tag and time.monotonic() < human_deadline:
            self._receive(min(human_deadline, time.monotonic() + 0.05))
        if self.human_at is not None:
            self.report.status = "human"
            self.report.seconds_to_human = self.human_at - (answered - self.t0)
        if self.remote_tag:
            self._bye()
