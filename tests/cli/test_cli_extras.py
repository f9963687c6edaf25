"""A command that needs an optional extra says which one to install (Chinese first) and exits 2, never a traceback.

Each case runs the command in a fresh interpreter where a `sys.meta_path` finder makes the extra's
packages unimportable, as they are after `pip install ganzhi` without that extra.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ganzhi.cli._common import EXTRAS

_RUN = """
import sys
BLOCKED = set(sys.argv[1].split(","))

class Missing:
    '''Finds nothing for the blocked packages: their import fails as when they are not installed.'''

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Missing())
for loaded in [m for m in sys.modules if m.split(".")[0] in BLOCKED]:
    del sys.modules[loaded]
from ganzhi.cli import app
app(sys.argv[2:], prog_name="ganzhi")
"""


def _run(extra: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GANZHI_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    env.pop("GANZHI_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", _RUN, ",".join(EXTRAS[extra]), *args],
        capture_output=True, text=True, timeout=300, check=False, env=env, cwd=tmp_path,
    )  # fmt: skip


def _says_install(done: subprocess.CompletedProcess[str], extra: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    message = done.stderr
    assert f"pip install 'ganzhi[{extra}]'" in message, message
    assert message.index("可选依赖") < message.index("optional extra"), "Chinese first"


def test_serve_without_web_names_the_web_extra(tmp_path: Path) -> None:
    _says_install(_run("web", tmp_path, "serve", "--port", "0"), "web")


def test_policy_analyze_without_policy_names_the_policy_extra(tmp_path: Path) -> None:
    policy = tmp_path / "policy.txt"
    policy.write_text("我们收集您的手机号码。", encoding="utf-8")
    _says_install(_run("policy", tmp_path, "policy", "analyze", str(policy)), "policy")


def test_pdf_report_without_pdf_names_the_pdf_extra(tmp_path: Path) -> None:
    done = _run("pdf", tmp_path, "lookback", "show", "lb-1", "--format", "pdf", "--output", str(tmp_path / "x.pdf"))
    _says_install(done, "pdf")


def test_dask_executor_without_dask_names_the_dask_extra(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence.jsonl"
    evidence.write_text("", encoding="utf-8")
    _says_install(_run("dask", tmp_path, "check", "run", str(evidence), "--executor", "dask"), "dask")


def test_postgres_url_without_psycopg_names_the_postgres_extra(tmp_path: Path) -> None:
    env_url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    os.environ["GANZHI_DATABASE_URL"] = env_url
    try:
        done = subprocess.run(
            [sys.executable, "-c", _RUN, ",".join(EXTRAS["postgres"]), "issues", "list"],
            capture_output=True, text=True, timeout=300, check=False,
            env={**os.environ, "GANZHI_HOME": str(tmp_path / "home")},
        )  # fmt: skip
    finally:
        del os.environ["GANZHI_DATABASE_URL"]
    _says_install(done, "postgres")


@pytest.mark.parametrize("command", [("catalog", "validate"), ("portability", "--help")])
def test_core_commands_run_without_any_extra(tmp_path: Path, command: tuple[str, ...]) -> None:
    every = sorted({name for names in EXTRAS.values() for name in names})
    env = {**os.environ, "GANZHI_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-c", _RUN, ",".join(every), *command],
        capture_output=True, text=True, timeout=300, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
