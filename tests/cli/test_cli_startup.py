"""Start-up stays light: help for the root and for every group imports none of the heavy libraries.

Each case runs in a fresh interpreter (a test process has everything imported already) and reads
`sys.modules` after the help was printed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ganzhi.cli import GROUPS

#: Libraries a help screen must not load (each costs tens to hundreds of milliseconds or megabytes).
HEAVY = ("numpy", "pyarrow", "sqlalchemy", "fastapi", "duckdb", "sklearn", "scipy", "pandas", "openpyxl")

_PROBE = """
import contextlib, io, json, sys
from ganzhi.cli import app
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        app(sys.argv[1:], prog_name="ganzhi")
    except SystemExit as exc:
        code = exc.code
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(HEAVY)))
print(json.dumps({"code": code, "help": out.getvalue(), "heavy": heavy}))
"""


def _help(*args: str) -> dict[str, object]:
    probe = _PROBE.replace("json.loads(HEAVY)", repr(list(HEAVY)))
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=120, check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_root_help_lists_every_group_and_imports_nothing_heavy() -> None:
    found = _help("--help")
    assert found["code"] == 0
    assert found["heavy"] == []
    text = str(found["help"])
    for _module, name, help_ in GROUPS:
        assert f" {name} " in text, name
        assert help_.split()[0] in text, name  # the Chinese half of the one-line help


@pytest.mark.parametrize("name", [name for _module, name, _help_text in GROUPS])
def test_group_help_imports_nothing_heavy(name: str) -> None:
    found = _help(name, "--help")
    assert found["code"] == 0, found
    assert found["heavy"] == [], f"`ganzhi {name} --help` imported {found['heavy']}"
    assert "Usage:" in str(found["help"])
