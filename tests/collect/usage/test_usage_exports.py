"""Operator exports → audit inputs: 话单 CSV (GBK, Chinese headers, KB, up/down) and SMS-gateway logs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from usage_fixtures import bj, query, read_rows

from ganzhi.collect.usage import AuditConfig, run_audit
from ganzhi.collect.usage.exports import convert_cdr, convert_sms, overage_evidence
from ganzhi.errors import InputError

CDR_HEADER = "用户号码,开始时间,结束时间,上行流量(KB),下行流量(KB),套餐编码,基站"


def _write(path: Path, lines: list[str], encoding: str = "gbk", tail: bytes = b"") -> Path:
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n" + tail)
    return path


def _rejected(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_cdr_gbk_kb_split_and_beijing_time(tmp_path: Path) -> None:
    src = _write(tmp_path / "话单.csv", [
        CDR_HEADER,
        "13800000001,20240105103000,20240105103500,100,924,P001,南京",
        "+8613800000002,20240105110000,20240105110500,,2048,P001,苏州",
        "13800000008,20240131235959,20240201000100,0.5,1.5,P002,无锡",
    ])  # fmt: skip
    report = convert_cdr(src, tmp_path / "events.parquet", tmp_path / "bad.csv")
    assert report.encoding == "gb18030" and report.rejected == 0 and report.rejected_path is None
    rows = query(f"SELECT subscriber_id, ts, bytes, plan_id, origin_row FROM '{tmp_path}/events.parquet' ORDER BY 5")
    assert rows == [
        (13800000001, bj(2024, 1, 5, 10, 30), 1024 * 1024, "P001", 2),
        (13800000002, bj(2024, 1, 5, 11), 2048 * 1024, "P001", 3),  # +86 dropped, empty uplink is 0
        (13800000008, bj(2024, 1, 31, 23, 59, 59), 2048, "P002", 4),  # 0.5 KB + 1.5 KB
    ]


def test_cdr_bad_rows_are_quarantined_with_file_row_and_field(tmp_path: Path) -> None:
    src = _write(tmp_path / "cdr.csv", [
        CDR_HEADER,
        "13800000001,20240105103000,x,1,1,P001,A",
        "138****0003,20240105110000,x,1,1,P001,A",
        "13800000004,2024-01-05 25:00:00,x,1,1,P001,A",
        "13800000005,20240105110000,x,abc,1,P001,A",
        "13800000006,20240105110000,x,1,1,,A",
        "13800000007,20240105110000,x,1,1",
        "13800000010,19991231000000,x,1,1,P001,A",
        "13800000011,20240105110000,x,,,P001,A",
    ], tail=b"13800000009,20240105120000,x,1,1,P002,\xff\xfe\r\n")  # fmt: skip
    report = convert_cdr(src, tmp_path / "events.parquet", tmp_path / "bad.csv")
    assert (report.rows, report.written, report.rejected) == (9, 1, 8)
    bad = {int(r["row"]): r for r in _rejected(tmp_path / "bad.csv")}
    assert all(r["file"] == str(src) for r in bad.values())
    assert {row: r["problems"] for row, r in bad.items()} == {
        3: "subscriber_id:invalid", 4: "ts:unparseable", 5: "bytes:not_number", 6: "plan_id:empty",
        7: "line:fields", 8: "ts:out_of_range", 9: "bytes:not_number", 10: "line:encoding",
    }  # fmt: skip
    assert "'138****0003'" in bad[3]["reason"] and "上行流量(KB)" in bad[5]["reason"]
    assert "expected 7 fields, got 5" in bad[7]["reason"]
    assert report.rejected_by_problem["bytes:not_number"] == 2


def test_cdr_total_column_and_unit_option_utf8_bom(tmp_path: Path) -> None:
    src = tmp_path / "cdr.csv"
    src.write_bytes("\ufeff计费号码,话单开始时间,总流量,资费编码\n13900000001,2024-01-02 08:00:00,3,P1\n".encode())
    report = convert_cdr(src, tmp_path / "e.parquet", tmp_path / "bad.csv", unit="mb")
    assert report.encoding == "utf-8-sig"
    assert query(f"SELECT bytes FROM '{tmp_path}/e.parquet'") == [(3 * 1024 * 1024,)]


def test_cdr_missing_column_names_file_and_headers(tmp_path: Path) -> None:
    src = _write(tmp_path / "cdr.csv", ["用户号码,开始时间,套餐编码", "1,20240101000000,P"])
    with pytest.raises(InputError, match=r"cdr.csv.*上行流量/下行流量 or 总流量"):
        convert_cdr(src, tmp_path / "e.parquet", tmp_path / "bad.csv")


SMS = [
    "接收号码,发送时间,短信内容,状态",
    '13800000001,20240105103100,"【中国移动】尊敬的客户，您本月套餐内流量已使用80%，请合理使用。",成功',
    '13800000001,20240105120000,"【中国移动】您的套餐内流量已用完，超出后按3元/GB计费，当月封顶。",成功',
    '13800000002,20240105120000,"您好，您套餐内流量剩余20%。",成功',
    '13800000002,20240105130000,"您的套餐流量已用尽，超出部分每MB收取0.29元，达到上限后限速至128kbps。",成功',
    '13800000003,20240105130000,"您的套餐流量已全部用完，请及时充值。",成功',
    '13800000004,20240105130000,"欢迎参加话费充值优惠活动",成功',
]


def test_sms_threshold_and_unit_price_from_text(tmp_path: Path) -> None:
    src = _write(tmp_path / "sms.csv", SMS)
    report = convert_sms(src, tmp_path / "r.parquet", tmp_path / "bad.csv")
    rows = query(f"SELECT origin_row, threshold, states_unit_price, unit_price_yuan_per_gb, states_speed_terms "
                 f"FROM '{tmp_path}/r.parquet' ORDER BY 1")  # fmt: skip
    assert rows == [
        (2, 0.8, False, None, False), (3, 1.0, True, 3.0, False), (4, 0.8, False, None, False),
        (5, 1.0, True, pytest.approx(0.29 * 1024), True), (6, 1.0, False, None, False),
    ]  # fmt: skip
    assert report.stats == {"overage_notices": 3, "overage_notices_with_unit_price": 2,
                            "overage_notices_with_speed_terms": 1}  # fmt: skip
    bad = _rejected(tmp_path / "bad.csv")
    assert [(b["row"], b["problems"]) for b in bad] == [("7", "content:no_threshold")]
    evidence = overage_evidence(report, "cmcc-js-2024-01")
    assert evidence.data["notices"] == 3 and evidence.data["examples_without_price"][0]["row"] == 6


def test_converted_exports_feed_the_audit(tmp_path: Path) -> None:
    """CDR + SMS log → canonical files → the ordinary audit, with the verdicts they imply."""
    cdr = _write(tmp_path / "cdr.csv", [
        CDR_HEADER,
        "13800000001,20240105100000,x,0,819,P001,A",  # 819 KB of a 1024 KB quota: below 80 %
        "13800000001,20240105103000,x,0,205,P001,A",  # 1024 KB: crosses 80 % and 100 % at 10:30
        "13800000002,20240105100000,x,0,900,P001,A",  # crosses 80 % at 10:00
    ])  # fmt: skip
    sms = _write(tmp_path / "sms.csv", [
        "手机号码,下发时间,内容",
        "13800000001,20240105103500,您的套餐内流量已使用80%。",
        "13800000001,20240105120000,您的套餐内流量已用完，超出后按3元/GB计费。",  # 1.5 h: late
    ])  # fmt: skip
    convert_cdr(cdr, tmp_path / "events.parquet", tmp_path / "bad_e.csv")
    convert_sms(sms, tmp_path / "reminders.parquet", tmp_path / "bad_r.csv")
    (tmp_path / "plans.csv").write_text("plan_id,quota_bytes,cycle,province\nP001,1048576,month,江苏\n")
    report = run_audit(tmp_path / "plans.csv", tmp_path / "events.parquet", tmp_path / "reminders.parquet",
                       tmp_path / "out", AuditConfig())  # fmt: skip
    got = [(r["subscriber_id"], r["threshold"], r["status"]) for r in read_rows(report.results_path)]
    assert got == [(13800000001, 0.8, "on_time"), (13800000001, 1.0, "late"), (13800000002, 0.8, "missing")]
