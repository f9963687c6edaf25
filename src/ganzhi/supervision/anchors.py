"""Anchors: the chain's (position, hash) pairs kept outside the database.

Why: the hash chain catches any change to a stored snapshot except one. Someone able to write the
database can rewrite the newest snapshot and store its recomputed hash, or drop the newest snapshots;
nothing later links to them, so the chain still verifies. Copying each approved snapshot's position and
hash somewhere the database's writers cannot reach (a printed gazette, another organisation's system,
a write-once store) closes that gap: `ganzhi publish verify --anchors FILE` then checks the chain
against every anchor. The file is plain text, one `seq<TAB>hash<TAB>approved_at<TAB>id` line per
snapshot, so it can be published, diffed and re-typed by hand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ganzhi.errors import InputError
from ganzhi.supervision.chain import ChainProblem
from ganzhi.supervision.publications import Publication

MAX_ANCHOR_FILE_BYTES = 16 * 1024 * 1024  # ~200,000 anchors; an anchor file is never legitimately larger
_HASH = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class Anchor:
    """The hash a snapshot had at `seq` when it was anchored."""

    seq: int
    hash: str


def anchor_line(pub: Publication) -> str:
    """The anchor line of an approved snapshot."""
    approved = pub.approved_at.isoformat() if pub.approved_at is not None else ""
    return f"{pub.seq}\t{pub.hash}\t{approved}\t{pub.id}\n"


def parse_anchors(text: str, source: str) -> list[Anchor]:
    """Anchors of an anchor file; `#` lines and blank lines are skipped, anything else malformed is an error."""
    anchors: list[Anchor] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        seq, digest = [*fields, "", ""][:2]
        if not seq.isdigit() or int(seq) < 1 or not _HASH.fullmatch(digest.lower()):
            raise InputError(source, f"line {number}: expected 'seq<TAB>sha256-hex[<TAB>...]', got {line[:80]!r}")
        anchors.append(Anchor(int(seq), digest.lower()))
    return anchors


def read_anchors(path: Path) -> list[Anchor]:
    """Anchors of the file at `path` (bounded in size)."""
    if not path.is_file():
        raise InputError(str(path), "anchor file not found")
    if path.stat().st_size > MAX_ANCHOR_FILE_BYTES:
        raise InputError(str(path), f"larger than {MAX_ANCHOR_FILE_BYTES} bytes, not an anchor file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 text (byte {exc.start})") from None
    return parse_anchors(text, str(path))


def check_anchors(chain: Sequence[Publication], anchors: Sequence[Anchor]) -> list[ChainProblem]:
    """Every anchor the chain does not honour: a snapshot removed, or rewritten after it was anchored."""
    problems: list[ChainProblem] = []
    for anchor in anchors:
        if anchor.seq > len(chain):
            problems.append(
                ChainProblem(
                    "(missing)",
                    anchor.seq,
                    f"anchored with hash {anchor.hash} but the chain ends at #{len(chain)} (snapshots were removed)",
                )
            )
            continue
        pub = chain[anchor.seq - 1]
        if pub.hash != anchor.hash:
            problems.append(
                ChainProblem(
                    pub.id,
                    pub.seq,
                    f"hash {pub.hash} differs from the anchored {anchor.hash} (rewritten after it was anchored)",
                )
            )
    return problems


def unanchored(chain: Sequence[Publication], anchors: Sequence[Anchor]) -> list[Publication]:
    """Snapshots after the last anchored position, oldest first (what `publish anchor` appends)."""
    last = max((a.seq for a in anchors), default=0)
    return [pub for pub in chain if (pub.seq or 0) > last]
