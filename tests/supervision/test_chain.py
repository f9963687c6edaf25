"""The hash chain: second-person approval, numbering, and verification that catches tampering."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from pub_factory import notice_draft
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from sv_factory import T0

from ganzhi.errors import StoreError
from ganzhi.store import publication_repo as prepo
from ganzhi.store.db import session_scope
from ganzhi.store.publication_tables import PublicationRow
from ganzhi.supervision.chain import GENESIS, ApprovalError, digest, seal, verify
from ganzhi.supervision.publications import Publication, PublicationStatus


def _chain(n: int, *, first_total: int | None = None, start: dt.datetime = T0) -> list[Publication]:
    chain: list[Publication] = []
    for k in range(n):
        at = start + dt.timedelta(days=40 * k)
        chain.append(
            seal(notice_draft(f"pub-{k}"), chain, approver="李四", at=at, first_total=first_total if not k else None)
        )
    return chain


def test_approver_must_differ_from_creator() -> None:
    with pytest.raises(ApprovalError, match="different person"):
        seal(notice_draft(creator="张三"), [], approver=" 张三 ", at=T0)
    with pytest.raises(ApprovalError, match="empty"):
        seal(notice_draft(), [], approver="  ", at=T0)


def test_only_drafts_are_sealed_and_first_total_only_first() -> None:
    (first,) = _chain(1)
    with pytest.raises(ApprovalError, match="already approved"):
        seal(first, [first], approver="王五", at=T0)
    with pytest.raises(ApprovalError, match="first snapshot"):
        seal(notice_draft("pub-9"), [first], approver="李四", at=T0, first_total=21)


def test_numbering_per_year_and_total_continuing_an_older_sequence() -> None:
    chain = _chain(12, first_total=21, start=dt.datetime(2021, 11, 1, 2, tzinfo=dt.UTC))
    assert chain[0].numbering == "2021年第1批，总第21批"
    years = [p.year for p in chain]
    first_2022 = years.index(2022)
    assert chain[first_2022].batch_in_year == 1 and chain[first_2022].batch_total == 21 + first_2022
    assert chain[-1].title.startswith("《关于侵害用户权益行为的APP通报（") and chain[-1].title.endswith("批）》")
    assert chain[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(chain))
    assert verify(chain) == []


def test_year_is_the_beijing_date() -> None:
    # 2021-12-31 17:00 UTC is already 2022-01-01 in Beijing
    (pub,) = _chain(1, start=dt.datetime(2021, 12, 31, 17, tzinfo=dt.UTC))
    assert pub.year == 2022


def test_verify_names_an_altered_snapshot_and_the_broken_link() -> None:
    chain = _chain(3)
    body = dict(chain[1].body)
    body["intro"] = "篡改"
    tampered = chain[1].model_copy(update={"body": body})
    problems = verify([chain[0], tampered, chain[2]])
    assert [p.publication_id for p in problems] == ["pub-1"]
    assert "altered" in str(problems[0])
    # re-hashing the altered snapshot moves the break to the next link
    rehashed = tampered.model_copy(update={"hash": digest(tampered)})
    problems = verify([chain[0], rehashed, chain[2]])
    assert [p.publication_id for p in problems] == ["pub-2"] and "prev_hash" in problems[0].problem


def test_verify_catches_removed_snapshot_and_self_approval() -> None:
    chain = _chain(3)
    assert {p.publication_id for p in verify([chain[0], chain[2]])} == {"pub-2"}
    self_approved = chain[0].model_copy(update={"approved_by": chain[0].created_by})
    self_approved = self_approved.model_copy(update={"hash": digest(self_approved)})
    assert any("own creator" in p.problem for p in verify([self_approved]))


def test_stored_chain_and_tampering_in_the_database(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        for k in range(3):
            prepo.save_draft(session, notice_draft(f"pub-{k}"))
            prepo.approve(session, f"pub-{k}", approver="李四", at=T0 + dt.timedelta(days=k))
        prepo.save_draft(session, notice_draft("pub-draft"))
    with session_scope(sessions) as session:
        stored = prepo.chain(session)
        assert [p.id for p in stored] == ["pub-0", "pub-1", "pub-2"]
        assert verify(stored) == []
        assert [p.status for p in prepo.list_publications(session)][-1] is PublicationStatus.DRAFT
        with pytest.raises(StoreError, match="immutable"):
            prepo.save_draft(session, notice_draft("pub-1"))
    with session_scope(sessions) as session:
        row = session.get(PublicationRow, "pub-1")
        assert row is not None
        body = dict(row.body)
        body["notice"] = body["notice"][1:]
        session.execute(update(PublicationRow).where(PublicationRow.id == "pub-1").values(body=body))
    with session_scope(sessions) as session:
        problems = verify(prepo.chain(session))
    assert [p.publication_id for p in problems] == ["pub-1"]
