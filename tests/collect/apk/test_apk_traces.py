from __future__ import annotations

import json
from pathlib import Path

import pytest

from ganzhi.collect.apk.attribution import Attributor
from ganzhi.collect.apk.sdk import load_index
from ganzhi.collect.apk.traces import import_trace, normalise_api, parse_time, trace_evidence
from ganzhi.errors import InputError


def test_jsonl_trace_orders_calls_against_consent(tmp_path: Path) -> None:
    lines = [
        {
            "timestamp": "2024-06-01T08:00:01Z",
            "api": "android.telephony.TelephonyManager.getDeviceId",
            "stack": [
                "android.telephony.TelephonyManager.getDeviceId",
                "com.umeng.analytics.MobclickAgent.init(Unknown)",
            ],
        },
        {"event": "consent", "timestamp": "2024-06-01T08:00:05Z"},
        {
            "timestamp": 1717228810000,
            "api": "Landroid/location/LocationManager;->getLastKnownLocation",
            "stack": "com.forge.demo.Map.show\ncom.forge.demo.Main.onCreate",
        },
        {"timestamp": "yesterday", "api": "x.Y.z"},
    ]
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n{broken\n", encoding="utf-8")
    trace = import_trace(path, "com.forge.demo", who=Attributor(load_index(None), "com.forge.demo"))
    assert trace.consent_given and trace.consent_at is not None
    first, second = trace.calls
    assert first.before_consent is True and first.pi_category == "设备标识" and first.owner != "app"
    assert second.before_consent is False and second.owner == "app" and second.pi_category == "位置信息"
    assert len(trace.problems) == 2 and "t.jsonl:4" in trace.problems[0] and "t.jsonl:5" in trace.problems[1]
    assert trace_evidence(trace, "1.0").kind == "apk_trace"


def test_csv_trace_with_consent_column_and_unknown_consent(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "timestamp,api,stack,consent_timestamp\n"
        "1717228800,android.net.wifi.WifiInfo.getMacAddress,com.a.B.c|com.a.B.d,1717228900\n",
        encoding="utf-8",
    )
    trace = import_trace(path, "com.a")
    assert trace.calls[0].before_consent is True and trace.calls[0].stack == ["com.a.B.c", "com.a.B.d"]
    no_consent = tmp_path / "n.csv"
    no_consent.write_text("timestamp,api\n1717228800,android.os.Build.getSerial\n", encoding="utf-8")
    assert import_trace(no_consent, "com.a").calls[0].before_consent is None
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.csv"):
        import_trace(bad, "com.a")


def test_time_and_api_parsing() -> None:
    assert parse_time(1717228800, "t") == parse_time(1717228800000, "t") == parse_time("2024-06-01T08:00:00Z", "t")
    assert normalise_api("a.b.C.m") == "La/b/C;->m"
    with pytest.raises(ValueError, match="timestamp"):
        parse_time(True, "timestamp")
