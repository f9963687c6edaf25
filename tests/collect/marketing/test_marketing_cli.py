"""`ganzhi marketing check` through Typer's CliRunner: explainable matches in table and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ganzhi.cli._common import console
from ganzhi.cli.marketing import app

runner = CliRunner()

GOOD_TRANSCRIPT = (
    "您好，办理前请您先查询5G网络覆盖情况，可在营业厅或客服热线查询。"
    "使用5G网络需要更换5G手机，非5G手机不能使用5G网络。"
    "合约期内解约需支付违约金，也不能携号转网。"
)
BAD_AD = "全城覆盖5G满格！系统会自动为您开通5G升级包。办理后不能再改回4G套餐。"


def _write(folder: Path) -> Path:
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_TRANSCRIPT, encoding="utf-8")
    (folder / "bad.txt").write_text(BAD_AD, encoding="utf-8-sig")
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (folder / "notes.pdf").write_bytes(b"%PDF")
    return folder


def test_directory_json_names_sentence_and_rule(tmp_path: Path) -> None:
    folder = _write(tmp_path / "texts")
    result = runner.invoke(app, ["check", str(folder), "--material", "transcript", "--contract-plan",
                                 "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    results = document["results"]
    failed = {(r["subject"]["id"], r["data"]["rule"]) for r in results if r["status"] == "FAIL"}
    assert ("bad.txt", "redline.exaggeration") in failed
    assert ("bad.txt", "redline.forced-upgrade") in failed
    assert not [key for key in failed if key[0] == "good.txt"]
    exaggeration = next(r for r in results if r["data"].get("rule") == "redline.exaggeration")
    assert exaggeration["data"]["sentence"] == 0 and exaggeration["data"]["quote"].startswith("全城覆盖5G满格")
    meta = document["meta"]
    assert set(meta["texts"]) == {"good.txt", "bad.txt"}
    cues = {m["rule_id"] for m in meta["texts"]["good.txt"]["matches"]}
    assert {"reminder.coverage", "reminder.terminal", "reminder.contract-limits"} <= cues
    problems = "\n".join(meta["problems"])
    assert "empty.txt: empty text" in problems
    assert "latin1.txt: expected UTF-8 text" in problems


def test_single_file_table_lists_matches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "_width", 240)  # CliRunner has no terminal; keep rows unfolded
    ad = tmp_path / "ad.txt"
    ad.write_text(BAD_AD, encoding="utf-8")
    result = runner.invoke(app, ["check", str(ad), "--material", "ad", "--fail-on-fail", "--lang", "en"])
    assert result.exit_code == 1
    assert "Matches (sentence × rule)" in result.stdout
    assert "redline.exaggeration" in result.stdout
    assert "全城覆盖5G满格" in result.stdout


def test_nothing_readable_fails(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert "not found" in result.output
    (tmp_path / "d").mkdir()
    result = runner.invoke(app, ["check", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert "no .txt/.md/.text files" in result.output
