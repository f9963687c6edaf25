"""Loader of the `marketing` corpus: 5G sales transcripts and ads (`ganzhi marketing check`).

The same path as the command: each input text file is read as UTF-8 and analysed by `analyze` into one
`marketing_text` evidence whose subject is the file name. Options as the command's: `material`
(transcript | ad), `channel`, `contract_plan`, `from_withdrawn_plan`.
"""

from __future__ import annotations

from pathlib import Path

from ganzhi.collect.marketing.matcher import analyze
from ganzhi.errors import InputError
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.marketing import TEXT_SUBJECT_TYPE
from ganzhi.usecases.accuracy.corpus import Case

DOMAIN = "marketing"


def load(folder: Path, case: Case) -> list[Evidence]:
    """One `marketing_text` evidence per input file."""
    material = case.options.get("material", "transcript")
    if material not in ("transcript", "ad"):
        raise InputError(str(folder / "case.yaml"), f"options.material: expected transcript or ad, got {material!r}")
    channel = case.options.get("channel")
    evidence: list[Evidence] = []
    for name in case.inputs:
        path = folder / name
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(str(path), f"expected UTF-8 text ({type(exc).__name__})") from None
        payload = analyze(
            text, material="ad" if material == "ad" else "transcript",
            channel=str(channel) if isinstance(channel, str) else None,
            contract_plan=bool(case.options.get("contract_plan", False)),
            from_withdrawn_plan=bool(case.options.get("from_withdrawn_plan", False)),
        )  # fmt: skip
        evidence.append(Evidence.of(payload, Subject(type=TEXT_SUBJECT_TYPE, id=name), source=str(path)))
    return evidence
