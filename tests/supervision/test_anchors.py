"""Anchors kept outside the database catch what the chain alone cannot: a rewritten or dropped newest snapshot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pub_factory import notice_draft
from sqlalchemy import delete, update
from sv_factory import T0
from typer.testing import CliRunner

from ganzhi.cli import app
from ganzhi.cli._common import open_store
from ganzhi.errors import InputError
from ganzhi.store import publication_repo as prepo
from ganzhi.store.db import session_scope
from ganzhi.store.publication_tables import PublicationRow
from ganzhi.supervision.anchors import Anchor, anchor_line, check_anchors, parse_anchors, unanchored
from ganzhi.supervision.chain import digest, seal, verify
from ganzhi.supervision.publications import Publication

runner = CliRunner()


def _chain(n: int) -> list[Publication]:
    chain: list[Publication] = []
    for k in range(n):
        chain.append(seal(notice_draft(f"pub-{k}"), chain, approver="李四", at=T0 + dt.timedelta(days=k)))
    return chain


def _rewritten_head(chain: list[Publication]) -> list[Publication]:
    """The newest snapshot altered and re-hashed consistently: invisible to `verify` alone."""
    head = chain[-1]
    body = {**head.body, "notice": head.body["notice"][1:]}
    forged = head.model_copy(update={"body": body})
    return [*chain[:-1], forged.model_copy(update={"hash": digest(forged)})]


def test_anchor_lines_round_trip_and_honoured_chain_has_no_problems() -> None:
    chain = _chain(3)
    anchors = parse_anchors("# kept by the gazette\n" + "".join(anchor_line(p) for p in chain), "anchors.tsv")
    assert anchors == [Anchor(p.seq or 0, p.hash or "") for p in chain]
    assert check_anchors(chain, anchors) == []
    assert unanchored(chain, anchors[:1]) == chain[1:]


def test_rewritten_or_dropped_head_breaks_only_the_anchors() -> None:
    chain = _chain(3)
    anchors = parse_anchors("".join(anchor_line(p) for p in chain), "a")
    forged = _rewritten_head(chain)
    assert verify(forged) == []  # the gap anchors close
    problems = check_anchors(forged, anchors)
    assert [(p.publication_id, p.seq) for p in problems] == [("pub-2", 3)]
    assert "rewritten after it was anchored" in problems[0].problem
    dropped = check_anchors(chain[:2], anchors)
    assert [p.seq for p in dropped] == [3] and "snapshots were removed" in dropped[0].problem


@pytest.mark.parametrize("text", ["0\t" + "a" * 64, "1\t" + "a" * 63, "x\t" + "a" * 64, "1", "1\t" + "g" * 64])
def test_malformed_anchor_lines_name_the_file_and_line(text: str) -> None:
    with pytest.raises(InputError, match=r"^anchors.tsv: line 2: expected"):
        parse_anchors("\n" + text, "anchors.tsv")


def test_cli_anchor_then_verify_catches_a_consistent_rewrite(tmp_path: Path) -> None:
    sessions = open_store()
    with session_scope(sessions) as session:
        for k in range(2):
            prepo.save_draft(session, notice_draft(f"pub-{k}"))
            prepo.approve(session, f"pub-{k}", approver="李四", at=T0 + dt.timedelta(days=k))
    file = tmp_path / "anchors.tsv"
    first = runner.invoke(app, ["publish", "anchor", "--file", str(file)])
    assert first.exit_code == 0, first.output
    assert len(file.read_text(encoding="utf-8").splitlines()) == 2
    again = runner.invoke(app, ["publish", "anchor", "--file", str(file)])
    assert again.exit_code == 0 and "nothing new to anchor" in again.stdout
    with session_scope(sessions) as session:
        forged = _rewritten_head(prepo.chain(session))[-1]
        session.execute(
            update(PublicationRow).where(PublicationRow.id == forged.id).values(body=forged.body, hash=forged.hash)
        )
    plain = runner.invoke(app, ["publish", "verify"])
    assert plain.exit_code == 0, plain.output
    anchored = runner.invoke(app, ["publish", "verify", "--anchors", str(file)])
    assert anchored.exit_code == 1 and "rewritten after it was anchored" in anchored.stderr
    refused = runner.invoke(app, ["publish", "anchor", "--file", str(file)])
    assert refused.exit_code == 1 and "not anchoring a chain that fails verification" in refused.stderr
    with session_scope(sessions) as session:
        session.execute(delete(PublicationRow).where(PublicationRow.id == forged.id))
    dropped = runner.invoke(app, ["publish", "verify", "--anchors", str(file)])
    assert dropped.exit_code == 1 and "snapshots were removed" in dropped.stderr


def test_cli_verify_names_a_missing_anchor_file(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["publish", "verify", "--anchors", str(tmp_path / "none.tsv")])
    assert missing.exit_code == 1 and "anchor file not found" in missing.stderr
