"""`ganzhi crawl run|status|diff|list` through Typer's runner, against the loopback replica."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ganzhi.cli.crawl import app

REPLICA = Path(__file__).parents[1] / "collect" / "crawl" / "replica"
sys.path.insert(0, str(REPLICA))
import server  # noqa: E402

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[server.Replica]:
    site = server.start()
    monkeypatch.setenv("GANZHI_REPLICA", site.url)
    monkeypatch.setenv("GANZHI_HOME", str(tmp_path))
    monkeypatch.setenv("GANZHI_DATABASE_URL", f"sqlite:///{tmp_path / 'g.db'}")
    yield site
    server.stop(site)


def test_help_loads_no_heavy_module() -> None:
    heavy = "('scrapy', 'numpy', 'sqlalchemy', 'twisted')"
    code = f"import sys; from ganzhi.cli.crawl import app; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert "采集" in runner.invoke(app, ["--help"]).output


def test_run_status_list_diff(env: server.Replica, tmp_path: Path) -> None:
    spec = REPLICA / "specs" / "spaced.yaml"
    ran = runner.invoke(app, ["run", str(spec), "-f", "json", "-o", str(tmp_path / "run.json")])
    assert ran.exit_code == 0, ran.output
    report = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert report["sites"]["replica-spaced"]["done"] == 7 and Path(report["evidence_file"]).is_file()
    status = runner.invoke(app, ["status", "-f", "json"])
    assert status.exit_code == 0 and json.loads(status.stdout)["status"] == "finished"
    listed = json.loads(runner.invoke(app, ["list", str(spec), "-f", "json"]).stdout)
    assert listed["specs"][0]["name"] == "replica-spaced" and listed["specs"][0]["due"] is False
    due = runner.invoke(app, ["run", str(spec), "--due"])
    assert due.exit_code == 0 and "no site is due" in due.output
    diffed = json.loads(runner.invoke(app, ["diff", str(spec), "-f", "json"]).stdout)
    assert diffed["sites"][0]["before"] is None  # one finished run: nothing to compare yet
    assert runner.invoke(app, ["status", "crawl-nope"]).exit_code == 1


def test_bad_spec_names_file_and_field(env: server.Replica, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\nseeds: [ftp://a/]\nallowed_hosts: [a]\nrules: [{name: r, kind: policy}]\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["list", str(bad)])
    assert result.exit_code == 1
    assert str(bad) in result.output and "rules.0" in result.output and "subject" in result.output
    unset = tmp_path / "unset.yaml"
    unset.write_text(
        "name: y\nseeds: ['${GANZHI_NOT_SET_X}/']\nallowed_hosts: [a]\nrules: [{name: r}]\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["list", str(unset)])
    assert result.exit_code == 1 and "GANZHI_NOT_SET_X" in result.output and "seeds.0" in result.output
