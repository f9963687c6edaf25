"""Batch numbers follow the campaign's publication year; old approval-year snapshots stay verifiable."""

from __future__ import annotations

import datetime as dt

import pytest
from pub_factory import notice_draft

from ganzhi.supervision.chain import ApprovalError, batch_year, digest, seal, verify
from ganzhi.supervision.publications import Publication

Y2022 = (dt.date(2022, 1, 1), dt.date(2022, 12, 31))
AT_2026 = dt.datetime(2026, 12, 7, 4, tzinfo=dt.UTC)


def _campaign_draft(pid: str) -> Publication:
    return notice_draft(pid).model_copy(update={"campaign_id": "c2022"})


def test_batch_year_clamps_the_approval_date_into_the_campaign_window() -> None:
    assert batch_year(dt.date(2026, 12, 7), Y2022) == 2022
    assert batch_year(dt.date(2021, 12, 7), Y2022) == 2022
    spanning = (dt.date(2022, 11, 1), dt.date(2023, 2, 28))
    assert batch_year(dt.date(2023, 1, 5), spanning) == 2023
    assert batch_year(dt.date(2026, 1, 5), spanning) == 2023
    assert batch_year(dt.date(2026, 1, 5), None) == 2026


def test_a_2022_campaign_approved_in_2026_is_a_2022_batch() -> None:
    older = seal(notice_draft("pub-0"), [], approver="李四", at=AT_2026, first_total=21)
    assert older.numbering == "2026年第1批，总第21批"
    pub = seal(_campaign_draft("pub-1"), [older], approver="李四", at=AT_2026, window=Y2022)
    assert pub.numbering == "2022年第1批，总第22批"
    second = seal(_campaign_draft("pub-2"), [older, pub], approver="李四", at=AT_2026, window=Y2022)
    assert second.numbering == "2022年第2批，总第23批"
    chain = [older, pub, second]
    assert verify(chain, {"c2022": Y2022}) == []
    # without the campaign's window the campaign year cannot be justified
    assert {p.publication_id for p in verify(chain)} == {"pub-1", "pub-2"}


def test_campaign_draft_needs_its_window() -> None:
    with pytest.raises(ApprovalError, match="window"):
        seal(_campaign_draft("pub-1"), [], approver="李四", at=AT_2026)


def test_snapshots_sealed_by_approval_year_stay_valid() -> None:
    # a campaign snapshot sealed before the rule changed carries its approval year
    old = seal(notice_draft("pub-0"), [], approver="李四", at=AT_2026).model_copy(update={"campaign_id": "c2022"})
    old = old.model_copy(update={"hash": digest(old)})
    assert old.year == 2026 and verify([old], {"c2022": Y2022}) == []


def test_a_year_that_is_neither_is_named() -> None:
    pub = seal(_campaign_draft("pub-1"), [], approver="李四", at=AT_2026, window=Y2022)
    forged = pub.model_copy(update={"year": 2019})
    forged = forged.model_copy(update={"hash": digest(forged)})
    (problem,) = verify([forged], {"c2022": Y2022})
    assert "year 2019" in problem.problem and "c2022" in problem.problem
