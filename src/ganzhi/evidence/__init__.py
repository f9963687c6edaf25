"""Typed evidence models, one module per kind; `base` holds the envelope and the kind registry."""

from __future__ import annotations

from ganzhi.evidence.base import (
    ArtefactRef,
    Evidence,
    EvidenceKindError,
    EvidenceSet,
    Subject,
    evidence_kind,
    kind_model,
    kind_of,
    known_kinds,
)

__all__ = [
    "ArtefactRef",
    "Evidence",
    "EvidenceKindError",
    "EvidenceSet",
    "Subject",
    "evidence_kind",
    "kind_model",
    "kind_of",
    "known_kinds",
]
