"""A 2022 campaign's notice approved today reads 2022年第N批 on the page, in the PDF/XLSX and in the CLI."""

from __future__ import annotations

import io
import warnings

import pytest
from openpyxl import load_workbook
from starlette.exceptions import StarletteDeprecationWarning
from sv_factory import issue, result
from typer.testing import CliRunner

from ganzhi.cli import app as cli
from ganzhi.cli._common import open_store
from ganzhi.settings import load_settings
from ganzhi.store import repositories as repo
from ganzhi.store.db import session_scope
from ganzhi.web.app import create_app
from ganzhi.web.config import WebConfig

runner = CliRunner()


def ok(*args: str) -> str:
    outcome = runner.invoke(cli, list(args))
    assert outcome.exit_code == 0, outcome.output
    return "".join(outcome.output.split())


def test_batch_label_follows_the_campaign_year() -> None:
    ok("enterprise", "import", "--demo")
    ok("campaign", "create", "c2022", "--name", "2022行动", "--starts", "2022-01-01", "--ends", "2022-12-31")
    with session_scope(open_store()) as session:
        repo.create_run(session, run_id="run-1")
        repo.save_results(session, [result("fp-video", "com.example.video")])
        repo.upsert_issues(session, [issue("fp-video", "com.example.video")])
    ok("publish", "create", "pub-2022", "--created-by", "张三", "--kind", "notice", "--campaign", "c2022")
    approved = ok("publish", "approve", "pub-2022", "--approver", "李四")
    assert "2022年第1批，总第1批" in approved
    assert "2022年第1批" in ok("publish", "show", "pub-2022")
    assert "hashchainintact" in ok("publish", "verify")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarletteDeprecationWarning)
        from starlette.testclient import TestClient
    client = TestClient(create_app(load_settings(), WebConfig(secret_key="k" * 48)))
    page = client.get("/notices/pub-2022")
    assert page.status_code == 200 and "2022年第1批" in page.text
    book = load_workbook(io.BytesIO(client.get("/notices/pub-2022.xlsx").content))
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    assert any("2022年第1批" in c for c in cells), cells
    pdf = client.get("/notices/pub-2022.pdf")
    if pdf.status_code == 503:
        pytest.skip(f"PDF rendering unavailable here: {pdf.text[:200]}")
    pypdf = pytest.importorskip("pypdf", reason="pypdf (dev extra) is needed to read the PDF back")
    text = "".join("".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "2022年第1批" in text
