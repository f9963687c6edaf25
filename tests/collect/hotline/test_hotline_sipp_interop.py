"""The dial tester against SIPp, an independent SIP implementation, on loopback.

Our dialer was written and tested against our own responder, so both could share a misreading of
RFC 3261. SIPp (Debian `sip-tester`) plays the UAS here: its exit code is its own verdict (0 when the
call followed the scenario, checks included), and its `-trace_msg` log is a record of what it received
that does not go through our parser.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from ganzhi.collect.hotline.rtp_events import parse_event
from ganzhi.collect.hotline.sip_dialer import SipDialer
from ganzhi.collect.hotline.sip_message import SipMessage, SipParseError, parse_message, parse_uri

needs_sipp = pytest.mark.skipif(
    shutil.which("sipp") is None, reason="sip-tester not installed (apt-get install -y sip-tester)"
)

SIPP_TIMEOUT = 20.0  # SIPp's own -timeout; the subprocess wait allows a little more


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _udp_listening(port: int) -> bool:
    """Whether some socket holds 127.0.0.1:port, read from /proc so that probing never steals the port
    SIPp is about to bind (a bind probe could, and SIPp would then exit on its own bind error)."""
    wanted = f":{port:04X}"
    try:
        table = Path("/proc/net/udp").read_text(encoding="ascii")
    except OSError:  # not Linux: SIPp binds within milliseconds of starting
        time.sleep(0.5)
        return True
    return any(line.split()[1].endswith(wanted) for line in table.splitlines()[1:] if line.strip())


@dataclass(frozen=True)
class Logged:
    """One SIP message as SIPp logged it: parsed here with regexes, not with our parser."""

    start: str
    headers: dict[str, list[str]]
    body: str

    def first(self, name: str) -> str:
        return self.headers[name.lower()][0]

    @property
    def branch(self) -> str:
        match = re.search(r";branch=([^;\s]+)", self.first("via"))
        assert match, self.first("via")
        return match[1]


@dataclass
class SippRun:
    """A running SIPp UAS and, once `wait` returned, its exit code and logs."""

    proc: subprocess.Popen[bytes]
    port: int
    workdir: Path
    returncode: int | None = None

    def wait(self) -> int:
        self.returncode = self.proc.wait(timeout=SIPP_TIMEOUT + 10)
        return self.returncode

    def log(self, name: str) -> str:
        path = self.workdir / name
        return path.read_text(encoding="latin-1") if path.exists() else ""

    def verdict(self) -> str:
        """Everything useful when SIPp disagrees with us."""
        return f"sipp exit {self.returncode}\n--- errors\n{self.log('err.log')}\n--- screen\n{self.log('screen.txt')}"

    def received(self) -> list[Logged]:
        """The messages SIPp received, in order, from its -trace_msg log."""
        messages = []
        for block in re.split(r"^-{20,}.*$", self.log("msg.log"), flags=re.MULTILINE):
            head, _, text = block.strip("\r\n").partition("\n")
            if not head.startswith("UDP message received"):
                continue
            lines = text.replace("\r\n", "\n").strip("\n").split("\n")
            headers: dict[str, list[str]] = {}
            index = 1
            while index < len(lines) and lines[index].strip():
                name, _, value = lines[index].partition(":")
                headers.setdefault(name.strip().lower(), []).append(value.strip())
                index += 1
            messages.append(Logged(lines[0], headers, "\n".join(lines[index + 1 :])))
        return messages

    def received_methods(self) -> list[str]:
        return [m.start.split()[0] for m in self.received()]


@contextmanager
def sipp_uas(tmp_path: Path, scenario: str | None = None) -> Iterator[SippRun]:
    """Start `sipp` as a UAS for one call (`-m 1`); the built-in `uas` scenario unless XML is given."""
    workdir = tmp_path / "sipp"
    workdir.mkdir(exist_ok=True)
    if scenario is None:
        choice = ["-sn", "uas"]
    else:
        (workdir / "scenario.xml").write_text(scenario, encoding="utf-8")
        choice = ["-sf", str(workdir / "scenario.xml")]
    port = _free_udp_port()
    command = [
        "sipp", *choice, "-i", "127.0.0.1", "-p", str(port), "-mp", str(_free_udp_port()),
        "-m", "1", "-timeout", f"{SIPP_TIMEOUT:g}", "-timeout_error", "-nostdin",
        "-trace_err", "-error_file", str(workdir / "err.log"),
        "-trace_msg", "-message_file", str(workdir / "msg.log"),
        "-trace_logs", "-log_file", str(workdir / "checks.log"),
    ]  # fmt: skip
    with (workdir / "screen.txt").open("wb") as screen:
        proc = subprocess.Popen(command, cwd=workdir, stdin=subprocess.DEVNULL, stdout=screen, stderr=screen)
    run = SippRun(proc, port, workdir)
    try:
        deadline = 50  # x 0.1 s: SIPp listens once it holds the port
        while not _udp_listening(port):
            if proc.poll() is not None or deadline == 0:
                pytest.fail(f"sipp did not start listening on {port}:\n{run.verdict()}")
            deadline -= 1
            time.sleep(0.1)
        yield run
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)


def _reply(status: str, *, to_tag: bool = False, contact: bool = False, retrans_ms: int | None = None) -> str:
    """A SIPp `<send>` of a response that echoes the request's dialog headers; `to_tag` adds SIPp's own tag."""
    to = "[last_To:];tag=[pid]SIPpTag[call_number]" if to_tag else "[last_To:]"
    contact_line = "\n      Contact: <sip:ivr@[local_ip]:[local_port];transport=udp>" if contact else ""
    retrans = f' retrans="{retrans_ms}"' if retrans_ms else ""
    return f"""<send{retrans}>
    <![CDATA[
      SIP/2.0 {status}
      [last_Via:]
      [last_From:]
      {to}
      [last_Call-ID:]
      [last_CSeq:]{contact_line}
      Content-Length: 0
    ]]>
  </send>"""


def _answer_scenario(*, ring_ms: int, rtp_port: int, info_digits: str = "") -> str:
    """100, 180, a pause, 200 with SDP (PCMU + telephone-event to `rtp_port`), then one INFO per digit
    and a BYE. Every received request is checked by SIPp itself (`check_it`): the ACK goes to the
    200's Contact with CSeq 1 ACK, the INFOs carry `application/dtmf-relay` with the expected key."""
    infos = "".join(
        f"""
  <recv request="INFO" crlf="true">
    <action>
      <ereg regexp="^INFO sip:ivr@127\\.0\\.0\\.1:[0-9]+;transport=udp SIP/2\\.0" search_in="msg"
            check_it="true" assign_to="info_uri_{n}"/>
      <log message="info_uri_{n}: [$info_uri_{n}]"/>
      <ereg regexp="application/dtmf-relay" search_in="hdr" header="Content-Type:" check_it="true"
            assign_to="info_type_{n}"/>
      <log message="info_type_{n}: [$info_type_{n}]"/>
      <ereg regexp="Signal=[{digit}]" search_in="body" check_it="true" assign_to="info_signal_{n}"/>
      <log message="info_signal_{n}: [$info_signal_{n}]"/>
    </action>
  </recv>
  {_reply("200 OK")}"""
        for n, digit in enumerate(info_digits)
    )
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="ganzhi interop: answer">
  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp="&lt;sip:[^&gt;]+@127\\.0\\.0\\.1:[0-9]+&gt;" search_in="hdr" header="Contact:" check_it="true"
            assign_to="contact"/>
      <log message="contact: [$contact]"/>
      <ereg regexp="^ *70$" search_in="hdr" header="Max-Forwards:" check_it="true" assign_to="maxfwd"/>
      <log message="maxfwd: [$maxfwd]"/>
      <ereg regexp="m=audio [0-9]+ RTP/AVP" search_in="body" check_it="true" assign_to="offer"/>
      <log message="offer: [$offer]"/>
    </action>
  </recv>
  {_reply("100 Trying")}
  {_reply("180 Ringing", to_tag=True, contact=True)}
  <pause milliseconds="{ring_ms}"/>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:ivr@[local_ip]:[local_port];transport=udp>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 1 1 IN IP4 127.0.0.1
      s=-
      c=IN IP4 127.0.0.1
      t=0 0
      m=audio {rtp_port} RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
    ]]>
  </send>
  <recv request="ACK" crlf="true">
    <action>
      <ereg regexp="^ACK sip:ivr@127\\.0\\.0\\.1:[0-9]+;transport=udp SIP/2\\.0" search_in="msg"
            check_it="true" assign_to="ack_uri"/>
      <log message="ack_uri: [$ack_uri]"/>
      <ereg regexp="^ *1 ACK$" search_in="hdr" header="CSeq:" check_it="true" assign_to="ack_cseq"/>
      <log message="ack_cseq: [$ack_cseq]"/>
      <ereg regexp="tag=[0-9]+SIPpTag" search_in="hdr" header="To:" check_it="true" assign_to="ack_to"/>
      <log message="ack_to: [$ack_to]"/>
    </action>
  </recv>{infos}
  <recv request="BYE">
    <action>
      <ereg regexp="^BYE sip:ivr@127\\.0\\.0\\.1:[0-9]+;transport=udp SIP/2\\.0" search_in="msg"
            check_it="true" assign_to="bye_uri"/>
      <log message="bye_uri: [$bye_uri]"/>
      <ereg regexp="tag=[0-9]+SIPpTag" search_in="hdr" header="To:" check_it="true" assign_to="bye_to"/>
      <log message="bye_to: [$bye_to]"/>
    </action>
  </recv>
  {_reply("200 OK")}
</scenario>
"""


def _reject_scenario(code: int, reason: str) -> str:
    """100, then a final error response retransmitted (timer G) until the ACK arrives."""
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="ganzhi interop: reject {code}">
  <recv request="INVITE"/>
  {_reply("100 Trying")}
  {_reply(f"{code} {reason}", to_tag=True, retrans_ms=500)}
  <recv request="ACK">
    <action>
      <ereg regexp="^ *1 ACK$" search_in="hdr" header="CSeq:" check_it="true" assign_to="ack_cseq"/>
      <log message="ack_cseq: [$ack_cseq]"/>
      <ereg regexp="tag=[0-9]+SIPpTag" search_in="hdr" header="To:" check_it="true" assign_to="ack_to"/>
      <log message="ack_to: [$ack_to]"/>
    </action>
  </recv>
</scenario>
"""


def _ring_forever_scenario() -> str:
    """100 and 180, then only a CANCEL ends it: 200 to the CANCEL, 487 to the INVITE, ACK (RFC 3261 §9)."""
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="ganzhi interop: ring until cancelled">
  <recv request="INVITE">
    <action>
      <ereg regexp=".*" search_in="hdr" header="Via:" assign_to="invite_via"/>
      <ereg regexp=".*" search_in="hdr" header="CSeq:" assign_to="invite_cseq"/>
    </action>
  </recv>
  {_reply("100 Trying")}
  {_reply("180 Ringing", to_tag=True)}
  <recv request="CANCEL">
    <action>
      <ereg regexp="^ *1 CANCEL$" search_in="hdr" header="CSeq:" check_it="true" assign_to="cancel_cseq"/>
      <log message="cancel_cseq: [$cancel_cseq]"/>
      <ereg regexp="tag=" search_in="hdr" header="To:" check_it_inverse="true" assign_to="cancel_to"/>
      <log message="cancel_to: [$cancel_to]"/>
    </action>
  </recv>
  {_reply("200 OK", to_tag=True)}
  <send retrans="500">
    <![CDATA[
      SIP/2.0 487 Request Terminated
      Via: [$invite_via]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag[call_number]
      [last_Call-ID:]
      CSeq: [$invite_cseq]
      Content-Length: 0
    ]]>
  </send>
  <recv request="ACK">
    <action>
      <ereg regexp="^ *1 ACK$" search_in="hdr" header="CSeq:" check_it="true" assign_to="ack_cseq"/>
      <log message="ack_cseq: [$ack_cseq]"/>
    </action>
  </recv>
</scenario>
"""


@pytest.fixture
def rtp_sink() -> Iterator[socket.socket]:
    """Where the SIPp scenario's SDP answer points our RFC 4733 packets."""
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    sink.settimeout(0.2)
    try:
        yield sink
    finally:
        sink.close()


def _drain_events(sink: socket.socket) -> list[str]:
    digits: list[str] = []
    while True:
        try:
            packet = sink.recv(2048)
        except TimeoutError:
            return digits
        event = parse_event(packet)
        if event is not None and event.end:
            digits.append(event.digit)


@needs_sipp
def test_builtin_uas_call_answered_and_hung_up(tmp_path: Path) -> None:
    """SIPp's stock `-sn uas`: 180, 200 (retransmitted until our ACK), then it waits for our BYE."""
    with sipp_uas(tmp_path) as sipp:
        report = SipDialer(parse_uri(f"sip:95000@127.0.0.1:{sipp.port}"), timeout=3).dial(wait_human=0.1)
        sipp.wait()
    assert sipp.returncode == 0, sipp.verdict()
    assert report.status == "answered" and report.final_code == 200, report.to_json()
    assert not report.errors
    assert report.seconds_to_ringing is not None and report.seconds_to_answer is not None
    assert 0 <= report.seconds_to_ringing <= report.seconds_to_answer < 3
    assert sipp.received_methods() == ["INVITE", "ACK", "BYE"]


@needs_sipp
def test_ringing_then_answer_with_dtmf_by_info_and_rfc4733(tmp_path: Path, rtp_sink: socket.socket) -> None:
    """Timings follow SIPp's 180 → pause → 200; each INFO is checked and answered 200 by SIPp; the RTP
    events reach the port of SIPp's SDP answer; in-dialog requests follow RFC 3261 §12/§13."""
    rtp_port = rtp_sink.getsockname()[1]
    scenario = _answer_scenario(ring_ms=300, rtp_port=rtp_port, info_digits="1#")
    with sipp_uas(tmp_path, scenario) as sipp:
        dialer = SipDialer(parse_uri(f"sip:95000@127.0.0.1:{sipp.port}"), timeout=3)
        report = dialer.dial("1#", mode="both", digit_gap=0.05, wait_human=0.1)
        sipp.wait()
    assert sipp.returncode == 0, sipp.verdict()
    assert report.status == "answered" and report.final_code == 200, report.to_json()
    assert not report.errors
    assert report.dtmf_sent == ["1", "#"]
    assert report.seconds_to_ringing is not None and report.seconds_to_answer is not None
    assert report.seconds_to_ringing < 0.25 and 0.3 <= report.seconds_to_answer < 2
    assert _drain_events(rtp_sink) == ["1"] * 3 + ["#"] * 3  # each end packet sent three times

    got = sipp.received()
    assert [m.start.split()[0] for m in got] == ["INVITE", "ACK", "INFO", "INFO", "BYE"]
    invite, ack, *infos, bye = got
    assert [m.first("cseq") for m in got] == ["1 INVITE", "1 ACK", "2 INFO", "3 INFO", "4 BYE"]
    assert ack.branch != invite.branch  # the ACK of a 2xx is a transaction of its own (§13.2.2.4)
    assert len({m.branch for m in [invite, *infos, bye]}) == 4
    assert len({m.first("call-id") for m in got}) == 1
    assert len({m.first("from") for m in got}) == 1  # our tag never changes
    assert all(m.branch.startswith("z9hG4bK") for m in got)
    to_tags = {re.sub(r".*;tag=", "", m.first("to")) for m in [ack, *infos, bye]}
    assert len(to_tags) == 1 and "SIPpTag" in to_tags.pop()
    assert "Signal=1" in infos[0].body and "Signal=#" in infos[1].body


@needs_sipp
@pytest.mark.parametrize(("code", "reason"), [(486, "Busy Here"), (404, "Not Found")])
def test_rejected_call_is_reported_and_acked_in_the_invite_transaction(tmp_path: Path, code: int, reason: str) -> None:
    """A final error is ours to report as `rejected`; its ACK belongs to the INVITE's client transaction,
    so RFC 3261 §17.1.1.3 wants the INVITE's Via (same branch) and Request-URI."""
    with sipp_uas(tmp_path, _reject_scenario(code, reason)) as sipp:
        report = SipDialer(parse_uri(f"sip:95000@127.0.0.1:{sipp.port}"), timeout=3).dial("1")
        sipp.wait()
    assert sipp.returncode == 0, sipp.verdict()
    assert report.status == "rejected", report.to_json()
    assert (report.final_code, report.final_reason) == (code, reason)
    assert report.seconds_to_answer is None and report.dtmf_sent == []
    invite, ack = sipp.received()
    assert ack.start == invite.start.replace("INVITE", "ACK", 1)
    assert ack.first("via") == invite.first("via")
    assert ack.first("cseq") == "1 ACK"


@needs_sipp
def test_call_ringing_past_the_timeout_is_cancelled(tmp_path: Path) -> None:
    """A hotline that rings and never answers: we report a timeout and CANCEL, so SIPp's call ends with
    487 + ACK instead of ringing until its own timers; CANCEL and ACK share the INVITE's branch."""
    with sipp_uas(tmp_path, _ring_forever_scenario()) as sipp:
        report = SipDialer(parse_uri(f"sip:95000@127.0.0.1:{sipp.port}"), timeout=1).dial("1")
        sipp.wait()
    assert sipp.returncode == 0, sipp.verdict()
    assert report.status == "timeout" and report.final_code is None, report.to_json()
    assert report.seconds_to_ringing is not None and report.seconds_to_answer is None
    assert report.errors == ["no final response to INVITE within 1 s"]
    invite, cancel, ack = sipp.received()
    assert cancel.start == invite.start.replace("INVITE", "CANCEL", 1)
    assert cancel.first("via") == ack.first("via") == invite.first("via")
    assert cancel.first("to") == invite.first("to")


@needs_sipp
def test_peer_that_refuses_info_keeps_the_call_answered(tmp_path: Path) -> None:
    """SIPp's stock UAS aborts the call on an INFO it does not expect and exits; our report keeps the
    answer and says what went wrong with the DTMF instead of calling the peer unreachable."""
    with sipp_uas(tmp_path) as sipp:
        report = SipDialer(parse_uri(f"sip:95000@127.0.0.1:{sipp.port}"), timeout=2).dial(
            "5", digit_gap=0.05, wait_human=0.1
        )
        sipp.wait()
    assert sipp.returncode == 1, sipp.verdict()  # SIPp counts its aborted call as failed
    assert "unexpected message" in sipp.log("err.log").lower()
    assert report.status == "answered" and report.final_code == 200, report.to_json()
    assert report.dtmf_sent == []
    assert report.errors and any("INFO" in e for e in report.errors), report.errors


def _ganzhi_command() -> list[str]:
    script = Path(sys.executable).with_name("ganzhi")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from ganzhi.cli import main; main()"]


@needs_sipp
def test_cli_dial_against_sipp(tmp_path: Path, rtp_sink: socket.socket) -> None:
    """`ganzhi hotline dial` end to end: JSON report on stdout, exit 0, SIPp satisfied."""
    scenario = _answer_scenario(ring_ms=100, rtp_port=rtp_sink.getsockname()[1], info_digits="0")
    with sipp_uas(tmp_path, scenario) as sipp:
        command = [
            *_ganzhi_command(), "hotline", "dial", f"sip:95000@127.0.0.1:{sipp.port}",
            "--dtmf", "0", "--dtmf-mode", "info", "--digit-gap", "0.05", "--wait-human", "0.1",
            "--timeout", "3", "--format", "json",
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        sipp.wait()
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert sipp.returncode == 0, sipp.verdict()
    assert data["status"] == "answered" and data["final_code"] == 200 and data["dtmf_sent"] == ["0"]
    assert data["dtmf_mode"] == "info" and data["errors"] == []
    assert data["seconds_to_answer"] >= 0.1
    assert sipp.received_methods() == ["INVITE", "ACK", "INFO", "BYE"]


# --- focused unit tests for what the interop found (no SIPp needed) ----------------------------------


class _ScriptedPeer:
    """A bare UDP socket that answers our INVITE with one canned final response and records the rest."""

    def __init__(
        self, code: int, reason: str, *, vanish_after_ack: bool = False, resend_after_ack: bool = False
    ) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(2)
        self.port: int = self.sock.getsockname()[1]
        self.code, self.reason, self.vanish, self.resend = code, reason, vanish_after_ack, resend_after_ack
        self.received: list[SipMessage] = []
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self) -> None:
        try:
            data, peer = self.sock.recvfrom(65535)
            invite = parse_message(data)
            self.received.append(invite)
            headers = [(k, v) for k, v in invite.headers if k in {"via", "from", "call-id", "cseq"}]
            headers.append(("to", f"{invite.header('to')};tag=peer1"))
            headers.append(("contact", f"<sip:peer@127.0.0.1:{self.port}>"))
            final = SipMessage(status=self.code, reason=self.reason, headers=headers).to_bytes()
            self.sock.sendto(final, peer)
            self.received.append(parse_message(self.sock.recv(65535)))
            if self.resend:  # as if our ACK had been lost: the 2xx again, then whatever follows
                self.sock.sendto(final, peer)
                for _ in range(2):
                    request = parse_message(self.sock.recv(65535))
                    self.received.append(request)
                    if request.method == "BYE":
                        ok = [(k, v) for k, v in request.headers if k in {"via", "from", "to", "call-id", "cseq"}]
                        self.sock.sendto(SipMessage(status=200, reason="OK", headers=ok).to_bytes(), peer)
        except OSError:
            pass
        finally:
            if self.vanish:
                self.sock.close()

    def close(self) -> None:
        self.thread.join(timeout=5)
        self.sock.close()


def test_ack_of_an_error_response_reuses_the_invite_branch() -> None:
    """RFC 3261 §17.1.1.3: same Via (branch) and Request-URI as the INVITE, CSeq number kept."""
    peer = _ScriptedPeer(486, "Busy Here")
    try:
        report = SipDialer(parse_uri(f"sip:1@127.0.0.1:{peer.port}"), timeout=2).dial()
    finally:
        peer.close()
    assert report.status == "rejected" and report.final_code == 486
    invite, ack = peer.received
    assert ack.method == "ACK" and ack.uri == invite.uri
    assert ack.header("via") == invite.header("via")
    assert ack.cseq == (1, "ACK") and ack.header("to") == f"{invite.header('to')};tag=peer1"


def test_ack_of_a_2xx_is_a_new_transaction_to_the_contact() -> None:
    """RFC 3261 §13.2.2.4: the 2xx ACK gets a fresh branch and goes to the remote target (Contact)."""
    peer = _ScriptedPeer(200, "OK", vanish_after_ack=True)
    try:
        report = SipDialer(parse_uri(f"sip:1@127.0.0.1:{peer.port}"), timeout=1).dial(wait_human=0)
    finally:
        peer.close()
    invite, ack = peer.received
    assert ack.uri == f"sip:peer@127.0.0.1:{peer.port}"
    assert ack.header("via") != invite.header("via") and ack.cseq == (1, "ACK")
    assert report.final_code == 200


def test_peer_gone_after_the_answer_keeps_the_call_answered() -> None:
    """ICMP port unreachable after a 200 is an error of that call, not an unreachable peer."""
    peer = _ScriptedPeer(200, "OK", vanish_after_ack=True)
    try:
        report = SipDialer(parse_uri(f"sip:1@127.0.0.1:{peer.port}"), timeout=1).dial("5", digit_gap=0.05, wait_human=0)
    finally:
        peer.close()
    assert report.status == "answered" and report.seconds_to_answer is not None, report.to_json()
    assert report.dtmf_sent == []
    assert any(e.startswith("INFO: ") and "refused" in e for e in report.errors), report.errors


def test_ringing_past_the_timeout_sends_cancel_then_acks_the_487() -> None:
    """RFC 3261 §9.1: CANCEL only after a provisional, same Request-URI, Via, Call-ID, From, To and CSeq
    number as the INVITE; the 487 that ends the INVITE is ACKed in the same transaction."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(3)
    received: list[SipMessage] = []

    def reply(request: SipMessage, code: int, reason: str, to_tag: bool, peer: tuple[str, int]) -> None:
        headers = [(k, v) for k, v in request.headers if k in {"via", "from", "call-id", "cseq"}]
        headers.append(("to", f"{request.header('to')};tag=peer1" if to_tag else request.header("to") or ""))
        sock.sendto(SipMessage(status=code, reason=reason, headers=headers).to_bytes(), peer)

    def ring() -> None:
        try:
            data, peer = sock.recvfrom(65535)
            invite = parse_message(data)
            received.append(invite)
            reply(invite, 180, "Ringing", True, peer)
            while len(received) < 3:
                message = parse_message(sock.recv(65535))
                received.append(message)
                if message.method == "CANCEL":
                    reply(message, 200, "OK", True, peer)
                    reply(invite, 487, "Request Terminated", True, peer)
        except (OSError, SipParseError):
            pass

    thread = threading.Thread(target=ring)
    thread.start()
    try:
        report = SipDialer(parse_uri(f"sip:1@127.0.0.1:{sock.getsockname()[1]}"), timeout=0.5).dial()
    finally:
        thread.join(timeout=5)
        sock.close()
    assert report.status == "timeout" and report.seconds_to_ringing is not None
    assert report.errors == ["no final response to INVITE within 0.5 s"], report.errors
    invite, cancel, ack = received
    assert (cancel.method, cancel.uri, cancel.cseq) == ("CANCEL", invite.uri, (1, "CANCEL"))
    for name in ("via", "from", "to", "call-id"):
        assert cancel.header(name) == invite.header(name), name
    assert (ack.method, ack.cseq, ack.header("via")) == ("ACK", (1, "ACK"), invite.header("via"))
    assert ack.header("to") == f"{invite.header('to')};tag=peer1"


def test_silent_peer_gets_no_cancel() -> None:
    """Without any provisional response there is nothing to CANCEL (§9.1); the dialer just times out."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    try:
        report = SipDialer(parse_uri(f"sip:1@127.0.0.1:{sock.getsockname()[1]}"), timeout=0.6).dial()
        sock.settimeout(0.2)
        methods = []
        with contextlib.suppress(TimeoutError):
            while True:
                methods.append(parse_message(sock.recv(65535)).method)
    finally:
        sock.close()
    assert report.status == "timeout"
    assert set(methods) == {"INVITE"}  # timer A retransmissions only


def test_retransmitted_2xx_is_acked_again() -> None:
    """RFC 3261 §13.2.2.4: every 2xx copy gets the ACK (the same one), or a peer that missed our ACK
    tears the call down after 64*T1 while we still wait for an agent."""
    peer = _ScriptedPeer(200, "OK", resend_after_ack=True)
    try:
        report = SipDialer(parse_uri(f"sip:1@127.0.0.1:{peer.port}"), timeout=1).dial(wait_human=0.3)
    finally:
        peer.close()
    assert [m.method for m in peer.received] == ["INVITE", "ACK", "ACK", "BYE"], report.to_json()
    assert peer.received[1].to_bytes() == peer.received[2].to_bytes()
    assert report.status == "answered" and not report.errors
