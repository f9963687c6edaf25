"""T8 matrices as operators write them: free-text operations, channels and yes/no words, 全国 rows, warnings."""

from __future__ import annotations

import csv
from pathlib import Path

from ganzhi.collect.crossregion.matrix import import_matrix
from ganzhi.collect.crossregion.vocabulary import channel_code, operation_name, service_code
from ganzhi.collect.halls.wording import yes_no


def test_words_map_by_meaning() -> None:
    assert service_code("全国亲情网") == "family_network"
    assert service_code("宽带融合套餐") == "converged"
    assert channel_code("省内异地营业厅") == "hall_other_city"
    assert channel_code("外省营业厅") == "hall_other_province"
    assert channel_code("手机营业厅APP") == "online"
    assert operation_name("family_network", "新增外省成员") == "添加外省成员"
    assert operation_name("family_network", "移除异地成员") == "删除外省成员"
    assert operation_name("family_network", "成员增删") == "成员变更"
    assert operation_name("converged", "新增副卡") == "加副卡"
    assert operation_name("converged", "宽带移机") == "移机"
    assert [yes_no(v) for v in ("支持", "暂不支持", "√", "否", "办理成功", "未能办理", "不限归属地")] == [
        True, False, True, False, True, False, None,
    ]  # fmt: skip


def test_nationwide_row_unknown_words_are_warnings(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ["运营商", "省份", "业务类型", "办理事项", "办理渠道", "是否支持"],
                ["中国移动通信集团有限公司", "全国", "亲情网", "新增外省成员", "归属地营业厅", "支持"],
                ["中国移动", "江苏省", "亲情网", "调整短号", "外省营业厅", "支持"],
                ["中国移动", "江苏省", "亲情网", "开通", "邮寄", "支持"],
                ["中国移动", "江苏省", "亲情网", "开通", "外省营业厅", "待定"],
            ]
        )
    imported = import_matrix(path)
    caps = imported.capabilities["china_mobile"]
    assert sum(1 for c in caps if c.operation == "添加外省成员") == 31
    assert any(c.operation == "调整短号" for c in caps)  # kept as written
    assert [(e.row, e.field, e.level) for e in imported.errors] == [
        (3, "operation", "warning"),
        (4, "channel", "warning"),
        (5, "supported", "warning"),
    ]
    assert "邮寄" in imported.errors[1].problem and "待定" in imported.errors[2].problem
