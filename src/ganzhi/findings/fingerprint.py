"""The stable identity of a finding across runs.

An issue is tracked by its fingerprint, so the fingerprint must not change when nothing about the
non-compliance changed: it is built from the check id, the subject key and the values of the fields the
check's metadata names in `fingerprint_fields` — never from messages, times or run ids (DefectDojo's
dedup bugs came from hashing volatile fields).

Rules, so that every producer computes the same hash:

- the body is canonical JSON (sorted keys, no whitespace, UTF-8) of
  ``[check_id, subject.key, [[field, value], ...]]``;
- fields are de-duplicated and sorted by name, so reordering `fingerprint_fields` in a metadata file
  does not re-identify every issue;
- a field missing from `data` counts as ``null``: adding a fingerprint field to a check whose old
  results lacked it keeps identities only if the new value is also missing — document such changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from ganzhi.evidence.base import Subject, canonical_json

#: Version tag of this fingerprint scheme (e.g. SARIF ``partialFingerprints`` key).
FINGERPRINT_VERSION = "ganzhi/v1"


def fingerprint_body(check_id: str, subject: Subject, data: Mapping[str, Any], fields: Sequence[str]) -> str:
    """The canonical JSON that is hashed; exposed so a surprising fingerprint can be explained."""
    if not check_id:
        raise ValueError("fingerprint needs a check id (got an empty string)")
    if isinstance(fields, str):
        raise TypeError(f"fingerprint fields must be a sequence of names, not the string {fields!r}")
    pairs = [[name, data.get(name)] for name in sorted(set(fields))]
    return canonical_json([check_id, subject.key, pairs])


def fingerprint(check_id: str, subject: Subject, data: Mapping[str, Any], fields: Sequence[str]) -> str:
    """sha256 hex of the canonical (check id, subject key, [(field, value)]) body; missing fields are null."""
    body = fingerprint_body(check_id, subject, data, fields)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
