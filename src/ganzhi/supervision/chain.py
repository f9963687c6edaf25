"""The hash chain of published snapshots: sealing on approval, and verifying the whole chain.

Each approved snapshot carries `prev_hash`, the sha256 of the snapshot before it, and `hash`, the
sha256 over the canonical JSON (sorted keys, no whitespace, UTF-8) of its sealed document: body as
stored, kind, campaign, creator, approver, times, position and batch numbers. Changing any stored
byte of a snapshot breaks its own hash; replacing its hash as well breaks the next link. Verification
is a pure function of the stored rows, so `ganzhi publish verify` needs nothing but the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ganzhi.errors import GanzhiError
from ganzhi.evidence.base import canonical_json
from ganzhi.supervision.publications import Publication, PublicationStatus, beijing_date

#: `prev_hash` of the first snapshot.
GENESIS = "0" * 64


#: A campaign's window (first day, last day), keyed by campaign id: it fixes the batch year.
Windows = Mapping[str, tuple[dt.date, dt.date]]


class ApprovalError(GanzhiError):
    """An approval the rules forbid (same person as the creator, already approved...)."""


def batch_year(approved: dt.date, window: tuple[dt.date, dt.date] | None) -> int:
    """The year a snapshot is numbered in: its campaign's publication year.

    The Beijing approval date is clamped into the campaign's window, so a notice of a 2022 campaign
    approved in 2026 is a 2022 batch, and one approved during the campaign takes the approval year
    (a campaign spanning New Year publishes in the year it is in). Without a campaign, the approval year.
    """
    if window is None:
        return approved.year
    starts, ends = window
    return min(max(approved, starts), ends).year


def _instant(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def sealed_document(pub: Publication) -> dict[str, Any]:
    """What the hash covers (everything but the hash itself)."""
    return {
        "id": pub.id,
        "kind": pub.kind.value,
        "campaign_id": pub.campaign_id,
        "created_by": pub.created_by,
        "created_at": _instant(pub.created_at),
        "approved_by": pub.approved_by,
        "approved_at": _instant(pub.approved_at),
        "seq": pub.seq,
        "year": pub.year,
        "batch_in_year": pub.batch_in_year,
        "batch_total": pub.batch_total,
        "prev_hash": pub.prev_hash,
        "body": pub.body,
    }


def digest(pub: Publication) -> str:
    """sha256 (hex) of the canonical JSON of the sealed document."""
    return hashlib.sha256(canonical_json(sealed_document(pub)).encode("utf-8")).hexdigest()


def seal(
    draft: Publication,
    chain: Sequence[Publication],
    *,
    approver: str,
    at: dt.datetime,
    first_total: int | None = None,
    window: tuple[dt.date, dt.date] | None = None,
) -> Publication:
    """Approve `draft` as the next link after `chain` (the approved snapshots in order).

    The approver must differ from the creator. The year is the campaign's publication year
    (`batch_year` of the Beijing approval date and the draft's campaign `window`); N counts the
    year's snapshots; M continues the chain — `first_total` lets the first snapshot continue a numbering
    that began before ganzhi (e.g. MIIT's 2022 batches started at 总第21批).
    """
    if draft.status is not PublicationStatus.DRAFT:
        raise ApprovalError(f"publication {draft.id!r} is already {draft.status.value}; only drafts can be approved")
    who = approver.strip()
    if not who:
        raise ApprovalError(f"publication {draft.id!r}: approver is empty; expected the name of a second person")
    if who == draft.created_by.strip():
        raise ApprovalError(
            f"publication {draft.id!r} was created by {draft.created_by!r}; it must be approved by a different "
            f"person (got approver {approver!r})"
        )
    if first_total is not None and chain:
        raise ApprovalError(f"--first-total only applies to the first snapshot; the chain already has {len(chain)}")
    if first_total is not None and first_total < 1:
        raise ApprovalError(f"first total batch number must be ≥ 1 (got {first_total})")
    draft.content()  # refuse to seal a body that does not parse
    if draft.campaign_id is not None and window is None:
        raise ApprovalError(
            f"publication {draft.id!r} belongs to campaign {draft.campaign_id!r} but its window was not given; "
            "the batch year follows the campaign"
        )
    year = batch_year(beijing_date(at), window)
    last = chain[-1] if chain else None
    total = (last.batch_total or 0) + 1 if last else (first_total or 1)
    sealed = draft.model_copy(
        update={
            "status": PublicationStatus.APPROVED,
            "approved_by": who,
            "approved_at": at,
            "seq": (last.seq or 0) + 1 if last else 1,
            "year": year,
            "batch_in_year": 1 + sum(1 for p in chain if p.year == year),
            "batch_total": total,
            "prev_hash": last.hash if last else GENESIS,
        }
    )
    return sealed.model_copy(update={"hash": digest(sealed)})


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One broken property of one snapshot."""

    publication_id: str
    seq: int | None
    problem: str

    def __str__(self) -> str:
        return f"snapshot {self.publication_id!r} (#{self.seq}): {self.problem}"


def _link_problems(pub: Publication, prev: Publication | None, position: int) -> list[str]:
    problems = []
    if pub.seq != position:
        problems.append(f"position is {pub.seq}, expected {position} (a snapshot is missing or was inserted)")
    want_prev = prev.hash if prev else GENESIS
    if pub.prev_hash != want_prev:
        problems.append(f"prev_hash {pub.prev_hash} does not match the previous snapshot's hash {want_prev}")
    if pub.approved_by is None or pub.approved_at is None:
        problems.append("has no approver or approval time")
    elif pub.approved_by.strip() == pub.created_by.strip():
        problems.append(f"approved by its own creator {pub.created_by!r}")
    return problems


def _numbering_problems(pub: Publication, prev: Publication | None, seen_in_year: int, windows: Windows) -> list[str]:
    problems = []
    if pub.approved_at is not None:
        approved = beijing_date(pub.approved_at)
        # The approval year stays valid: snapshots sealed before batches followed the campaign used it,
        # and their hashes cover that year.
        allowed = {approved.year}
        window = windows.get(pub.campaign_id) if pub.campaign_id is not None else None
        if window is not None:
            allowed.add(batch_year(approved, window))
        if pub.year not in allowed:
            where = f" nor the year of campaign {pub.campaign_id!r} ({window[0]}..{window[1]})" if window else ""
            problems.append(f"year {pub.year} is neither the year of the approval date {approved}{where}")
    if pub.batch_in_year != seen_in_year:
        problems.append(f"is 第{pub.batch_in_year}批 of {pub.year}, expected 第{seen_in_year}批")
    if prev is not None and pub.batch_total != (prev.batch_total or 0) + 1:
        problems.append(f"is 总第{pub.batch_total}批, expected 总第{(prev.batch_total or 0) + 1}批")
    return problems


def verify(chain: Sequence[Publication], windows: Windows | None = None) -> list[ChainProblem]:
    """Every problem of the approved snapshots in `seq` order; an empty list means the chain is intact.

    `windows` are the stored campaigns' windows: a batch year may be its campaign's year (`batch_year`).
    """
    known: Windows = windows or {}
    found: list[ChainProblem] = []
    per_year: dict[int | None, int] = {}
    prev: Publication | None = None
    for position, pub in enumerate(chain, start=1):
        problems = []
        if pub.status is not PublicationStatus.APPROVED:
            problems.append(f"status is {pub.status.value}, expected approved")
        actual = digest(pub)
        if pub.hash != actual:
            problems.append(f"content hash is {actual} but the stored hash is {pub.hash} (the snapshot was altered)")
        problems += _link_problems(pub, prev, position)
        per_year[pub.year] = per_year.get(pub.year, 0) + 1
        problems += _numbering_problems(pub, prev, per_year[pub.year], known)
        try:
            pub.content()
        except ValueError as exc:
            problems.append(str(exc))
        found += [ChainProblem(pub.id, pub.seq, p) for p in problems]
        prev = pub
    return found
