"""`RowProblem`, the one bad-row record of every importer: it names the file, sheet, row or line, and field."""

from __future__ import annotations

from ganzhi.errors import RowProblem


def test_a_table_row_names_file_sheet_row_and_field() -> None:
    problem = RowProblem("资费.xlsx", 4, "资费标准", "expected 元/月 (got 'abc')", sheet="资费公示")
    assert str(problem) == "资费.xlsx, sheet 资费公示, row 4, field 资费标准: expected 元/月 (got 'abc')"
    assert problem.where == "资费.xlsx, sheet 资费公示, row 4"
    assert problem.detail == "资费标准: expected 元/月 (got 'abc')"
    assert problem.to_json() == {
        "source": "资费.xlsx",
        "row": 4,
        "field": "资费标准",
        "error": "expected 元/月 (got 'abc')",
        "sheet": "资费公示",
    }


def test_a_line_is_written_file_colon_line() -> None:
    problem = RowProblem("cases.jsonl", 3, "id", "expected a unique id", unit="line", record_id="a")
    assert str(problem) == "cases.jsonl:3, field id: expected a unique id"
    assert problem.to_json() == {
        "source": "cases.jsonl",
        "row": 3,
        "field": "id",
        "error": "expected a unique id",
        "unit": "line",
        "id": "a",
    }


def test_whole_file_whole_row_and_warnings() -> None:
    assert str(RowProblem("absent.csv", None, None, "file not found")) == "absent.csv: file not found"
    whole_row = RowProblem("halls.csv", 7, None, "expected an object")
    assert str(whole_row) == "halls.csv, row 7: expected an object" and whole_row.detail == "expected an object"
    warning = RowProblem("c.xlsx", 1, None, "unrecognised columns ignored", sheet="S", level="warning")
    assert str(warning) == "warning: c.xlsx, sheet S, row 1: unrecognised columns ignored"
    assert warning.to_json()["level"] == "warning"
    assert str(RowProblem("c.xlsx", None, None, "no header row", sheet="S")) == "c.xlsx, sheet S: no header row"
