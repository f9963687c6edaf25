"""T8 matrix import (bad rows), the province heatmap, and the checks on imported evidence."""

from __future__ import annotations

from pathlib import Path

from ganzhi.checks.t8.matrix import PROVINCE_CODES, cell_ok
from ganzhi.collect.crossregion.matrix import import_matrix, province_code
from ganzhi.evidence.crossregion import CrossRegionMatrix
from ganzhi.usecases.crossregion_heatmap import heatmap_html


def _matrix(tmp_path: Path) -> tuple[Path, Path]:
    rows = ["operator,province,service,operation,channel,supported"]
    rows += [f"中国移动,{code},亲情网,添加外省成员,online,是" for code in PROVINCE_CODES]
    rows += [
        "中国移动,江苏省,固移融合,移机,hall_other_city,否",
        "中国移动,火星,亲情网,开通,online,是",
        "中国移动,北京,亲情网,开通,fax,是",
    ]
    matrix = tmp_path / "m.csv"
    matrix.write_text("\n".join(rows) + "\n", encoding="utf-8")
    tests = tmp_path / "t.csv"
    tests.write_text(
        "operator,province,service,operation,channel,date,succeeded\n中国移动,44,亲情网,添加外省成员,online,2022-02-01,否\n",
        encoding="utf-8",
    )
    return matrix, tests


def test_import_reports_bad_rows_and_builds_evidence(tmp_path: Path) -> None:
    matrix, tests = _matrix(tmp_path)
    result = import_matrix(matrix, tests)
    assert [e.row for e in result.errors] == [34, 35]
    assert "火星" in result.errors[0].problem and "fax" in result.errors[1].problem
    [evidence] = result.evidence(str(matrix))
    payload = evidence.payload(CrossRegionMatrix)
    assert len(payload.capabilities) == 32 and len(payload.tests) == 1
    assert cell_ok(payload, "44", "family_network", "添加外省成员", ["online"]) == (False, "tests_failed")
    assert cell_ok(payload, "32", "converged", "移机", ["hall_other_city"]) == (False, "not_supported")
    assert cell_ok(payload, "11", "family_network", "添加外省成员", ["online"]) == (True, "ok")


def test_province_names_and_heatmap(tmp_path: Path) -> None:
    assert province_code("内蒙古自治区") == "15" and province_code("65") == "65"
    matrix, tests = _matrix(tmp_path)
    [evidence] = import_matrix(matrix, tests).evidence(str(matrix))
    page = heatmap_html([evidence.payload(CrossRegionMatrix)])
    assert page.count("<tr>") == 32 and "#c62828" in page and "44 广东" in page and "<script" not in page


def test_each_file_counts_rows_used_and_not_used(tmp_path: Path) -> None:
    matrix, tests = _matrix(tmp_path)
    result = import_matrix(matrix, tests)
    by_file = {c.source: (c.accepted, c.rejected, c.warnings, c.errors) for c in result.files}
    assert by_file == {str(matrix): (32, 1, 1, 1), str(tests): (1, 0, 0, 0)}  # 火星: an error; fax: a warning
