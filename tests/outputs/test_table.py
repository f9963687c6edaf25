"""Rich tables: zh by default, English on request, coloured statuses, counts that add up."""

from __future__ import annotations

from findings.finding_factory import HALL, make_result
from ganzhi.evidence.status import Status
from ganzhi.i18n import Text
from ganzhi.outputs.table import STATUS_STYLES, render, results_table, status_cell, summary_table


def _results():
    return [
        make_result(data={"sdk": "a"}),
        make_result(data={"sdk": "b"}),
        make_result(status=Status.PASS, data={"sdk": "c"}),
        make_result(check_id="t9_port_hall_list", subject=HALL, status=Status.MANUAL, data={}),
        make_result(check_id="t4_close_control", status=Status.ERROR, data={}),
    ]


def test_results_table_in_chinese_by_default() -> None:
    text = render(results_table(_results()), width=200)
    for label in ("检查结果", "任务", "状态", "不通过", "通过", "需人工判定", "执行错误", "北京西单营业厅"):
        assert label in text
    assert "未在共享清单中列出" in text
    assert text.index("T4") < text.index("T9") < text.index("T11")


def test_results_table_in_english() -> None:
    text = render(results_table(_results(), lang="en"), width=200)
    assert "Results" in text
    assert "FAIL" in text
    assert "MANUAL" in text
    assert "Third-party SDK list is complete" in text
    assert "不通过" not in text


def test_status_is_coloured() -> None:
    cell = status_cell(Status.FAIL)
    assert (cell.plain, str(cell.style)) == ("不通过", STATUS_STYLES[Status.FAIL])
    coloured = render(results_table([make_result()]), color=True, width=200)
    assert "\x1b[1;31m不通过" in coloured  # bold red


def test_markup_in_messages_is_shown_as_written() -> None:
    result = make_result(message=Text(zh="组件 [bold]com.x[/bold] 未关闭"))
    assert "[bold]com.x[/bold]" in render(results_table([result]), width=200)


def test_summary_counts_per_task_and_status() -> None:
    table = summary_table(_results())
    headers = [str(column.header) for column in table.columns]
    assert headers[0] == "任务"
    assert headers[-1] == "合计"
    cells = {str(column.header): [str(cell) for cell in column.cells] for column in table.columns}
    assert cells["任务"] == ["T4", "T9", "T11", "合计"]
    assert cells["不通过"] == ["0", "0", "2", "2"]
    assert cells["通过"] == ["0", "0", "1", "1"]
    assert cells["执行错误"] == ["1", "0", "0", "1"]
    assert cells["合计"] == ["1", "1", "3", "5"]
    english = render(summary_table(_results(), lang="en"), width=200)
    assert "Summary (task × status)" in english
    assert "Total" in english


def test_empty_summary_has_no_total_row() -> None:
    table = summary_table([])
    assert table.row_count == 0
