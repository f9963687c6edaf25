"""IVR analysis (cycles, dead ends, no human) and SIP dialling on loopback against our IVR responder."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from ganzhi.collect.hotline.ivr import analyze, load_menu, parse_menu
from ganzhi.collect.hotline.rtp_events import digit_packets, parse_event
from ganzhi.collect.hotline.sip_dialer import SipDialer
from ganzhi.collect.hotline.sip_message import SipParseError, parse_message, parse_uri
from ganzhi.collect.hotline.sip_responder import IvrResponder
from ganzhi.errors import InputError

MENU = {
    "start": "main",
    "nodes": {
        "main": {"prompt_seconds": 8, "options": {"1": "bills", "2": "more", "0": "agent"}},
        "bills": {"prompt_seconds": 5, "options": {"*": "main"}, "timeout": "main"},
        "more": {"prompt_seconds": 4, "options": {"3": "deep"}},
        "deep": {"prompt_seconds": 3, "options": {"0": "fast_agent"}},
        "fast_agent": {"human": True, "wait_seconds": 1},
        "agent": {"human": True, "prompt_seconds": 2, "wait_seconds": 30},
        "faq": {"prompt_seconds": 3},
    },
}


def test_analysis_picks_fastest_human_and_reports_problems() -> None:
    result = analyze(parse_menu(MENU, "menu"))
    assert result.human_reachable
    assert result.path == ["2", "3", "0"]  # 8+4+3+1 = 16 s beats 8+2+30 = 40 s
    assert result.min_seconds == 16 and result.min_depth == 3
    assert any(set(cycle) == {"main", "bills"} for cycle in result.cycles)
    assert result.dead_ends == ["faq"]


def test_no_human_and_bad_menus() -> None:
    menu = {"start": "a", "nodes": {"a": {"options": {"1": "b"}}, "b": {"options": {"1": "a"}}}}
    result = analyze(parse_menu(menu, "m"))
    assert not result.human_reachable and result.min_depth is None and result.cycles
    with pytest.raises(InputError, match=r"nodes.a.options.1: .*'zz' is not defined"):
        parse_menu({"start": "a", "nodes": {"a": {"options": {"1": "zz"}}}}, "m")
    with pytest.raises(InputError, match="DTMF"):
        parse_menu({"start": "a", "nodes": {"a": {"options": {"x": "a"}}}}, "m")


def test_load_menu_reports_bad_yaml(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("start: [unclosed", encoding="utf-8")
    with pytest.raises(InputError, match=r"m\.yaml: not valid YAML"):
        load_menu(path)


def test_sip_parser_rejects_malformed() -> None:
    with pytest.raises(SipParseError, match="start line"):
        parse_message(b"HTTP/1.1 200 OK\r\n\r\n")
    with pytest.raises(SipParseError, match="Call-ID"):
        parse_message(b"SIP/2.0 200 OK\r\nVia: x\r\nCSeq: 1 INVITE\r\n\r\n")
    with pytest.raises(SipParseError, match="Content-Length"):
        parse_message(b"SIP/2.0 200 OK\r\nVia: x\r\ni: c\r\nCSeq: 1 INVITE\r\nl: 99\r\n\r\nabc")
    with pytest.raises(ValueError, match="sip:NUMBER@HOST"):
        parse_uri("tel:10086")


def test_rfc4733_round_trip() -> None:
    packets = digit_packets("#", seq=10, timestamp=1000, ssrc=5)
    events = [parse_event(p) for p in packets]
    assert all(e is not None and e.digit == "#" for e in events)
    assert [e.end for e in events if e] == [False, False, False, True, True, True]


@pytest.mark.parametrize("mode", ["info", "rfc4733", "both"])
def test_dial_reaches_human_on_loopback(mode: str) -> None:
    with IvrResponder(parse_menu(MENU, "menu"), time_scale=0.01) as responder:
        dialer = SipDialer(parse_uri(f"sip:95000@127.0.0.1:{responder.port}"), timeout=2)
        report = dialer.dial("2,3,0".replace(",", ""), mode=mode, digit_gap=0.03, wait_human=3)  # type: ignore[arg-type]
        keys = list(responder.call.keys) if responder.call else []
    assert report.status == "human", report.to_json()
    assert report.final_code == 200 and report.dtmf_sent == ["2", "3", "0"]
    assert keys == ["2", "3", "0"]
    assert [n["node"] for n in report.nodes][:4] == ["main", "more", "deep", "fast_agent"]
    # keys barge in over prompts: three 0.03 s gaps, then the agent's 1 s queue scaled by 0.01
    assert report.seconds_to_human is not None and report.seconds_to_human >= 0.09
    assert not report.errors


def test_dial_without_human_path_times_out_cleanly() -> None:
    with IvrResponder(parse_menu(MENU, "menu"), time_scale=0.01) as responder:
        report = SipDialer(parse_uri(f"sip:1@127.0.0.1:{responder.port}"), timeout=2).dial(
            "1", digit_gap=0.02, wait_human=0.3
        )
    assert report.status == "answered" and report.seconds_to_human is None


def test_unreachable_and_malformed_peers() -> None:
    closed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    report = SipDialer(parse_uri(f"sip:1@127.0.0.1:{port}"), timeout=1).dial("")
    assert report.status == "unreachable" and "refused" in report.errors[0]

    garbage = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    garbage.bind(("127.0.0.1", 0))
    garbage.settimeout(2)

    def reply_garbage() -> None:
        try:
            _data, peer = garbage.recvfrom(65535)
            garbage.sendto(b"SIP/2.0 banana\r\n\r\n", peer)
        except OSError:
            pass

    thread = threading.Thread(target=reply_garbage)
    thread.start()
    report = SipDialer(parse_uri(f"sip:1@127.0.0.1:{garbage.getsockname()[1]}"), timeout=0.8).dial("")
    thread.join()
    garbage.close()
    assert report.status == "timeout"
    assert any("malformed SIP datagram" in e for e in report.errors)
