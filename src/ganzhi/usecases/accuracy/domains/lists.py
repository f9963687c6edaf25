"""Loader of the `lists` corpus: the two PI lists (`ganzhi lists parse`), with APK facts and a policy if given.

Same collectors as `ganzhi lists parse` and `ganzhi policy analyze --lists … --apk-report …`; options
`policy`, `summary`, `apk_report` name those inputs, every other input is a list file.
"""

from __future__ import annotations

from pathlib import Path

from ganzhi.evidence.base import Evidence
from ganzhi.usecases.accuracy.corpus import Case
from ganzhi.usecases.accuracy.domains.policy import load_documents

DOMAIN = "lists"


def load(folder: Path, case: Case) -> list[Evidence]:
    """Evidence of a lists case (no policy unless `options.policy` names one)."""
    return load_documents(folder, case, policy_default=False)
