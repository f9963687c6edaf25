"""Loader of the `netdisk` corpus: cloud-drive price pages (`ganzhi netdisk disclosure`) and recorded probes.

A page input (.html, .htm, .txt) goes through `read_disclosure`, as `ganzhi netdisk disclosure PAGE` does;
a .jsonl input holds evidence lines as `ganzhi netdisk probe --evidence` appends them. Option `service`
names the subject (the command's `--service`; default the case folder's name).
"""

from __future__ import annotations

from pathlib import Path

from ganzhi.collect.netdisk.disclosure import MAX_PAGE_BYTES, read_disclosure
from ganzhi.errors import InputError
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.netdisk import SUBJECT_TYPE
from ganzhi.usecases.accuracy.corpus import Case

DOMAIN = "netdisk"


def load(folder: Path, case: Case) -> list[Evidence]:
    """Disclosure evidence per page and every recorded probe line."""
    service = str(case.options.get("service") or folder.name)
    subject = Subject(type=SUBJECT_TYPE, id=service)
    items: list[Evidence] = []
    for name in case.inputs:
        path = folder / name
        if path.suffix.lower() == ".jsonl":
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    items.append(Evidence.model_validate_json(line))
                except ValueError as exc:
                    raise InputError(str(path), f"line {number}: not an evidence line ({exc})") from None
            continue
        with path.open("rb") as handle:
            content = handle.read(MAX_PAGE_BYTES)
        page = read_disclosure(content, str(path))
        items.append(Evidence.of(page, subject, source=f"ganzhi netdisk disclosure {path}"))
    return items
