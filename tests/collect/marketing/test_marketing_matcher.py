"""The 5G rule table: it loads, matches sentence by sentence, honours negations and applicability."""

from __future__ import annotations

from pathlib import Path

import pytest

from ganzhi.collect.marketing.matcher import analyze, default_rules, load_rules, split_sentences
from ganzhi.errors import InputError


def test_table_covers_four_reminders_and_four_red_lines() -> None:
    table = default_rules()
    assert sum(r.type == "reminder" for r in table.rules) == 4
    assert sum(r.type == "redline" for r in table.rules) == 4


def test_matches_name_sentence_rule_and_cue() -> None:
    text = analyze("您好！我们全城覆盖5G满格。系统会自动为您开通5G升级包；不会强制升级5G。", material="ad")
    assert split_sentences("一。二！三") == ["一。", "二！", "三"]
    crossed = {(m.rule_id, m.sentence): m for m in text.matches}
    assert crossed[("redline.exaggeration", 1)].cue == "全城覆盖5G满格"
    assert crossed[("redline.forced-upgrade", 2)].negated_by is None
    assert crossed[("redline.forced-upgrade", 3)].negated_by == "不会强制升级"
    assert text.expected_reminders == ["reminder.coverage", "reminder.terminal"]
    contract = analyze("合约期内解约需支付违约金。", material="transcript", contract_plan=True)
    assert "reminder.contract-limits" in contract.expected_reminders
    assert [m.rule_id for m in contract.matches] == ["reminder.contract-limits"]


def test_a_broken_rule_table_names_the_rule(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text(
        "version: x\nrules:\n  - {id: r, type: redline, requirement: T2.x, applies: always,"
        " title: {zh: 标题}, cues: ['(unclosed']}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"rules\.0\.cues.*does not compile"):
        load_rules(bad)
