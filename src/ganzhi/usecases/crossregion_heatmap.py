"""A province heatmap of the T8 matrix as a self-contained HTML table (no scripts, no CDN).

Rows are provinces, columns are (operator, service, operation); a cell is green when some channel is
declared and not contradicted by tests, red when tests all failed or the operation is unsupported,
grey when nothing was declared. Reports embed it as is.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from ganzhi.checks.t8.matrix import PROVINCE_CODES, cell_ok
from ganzhi.evidence.crossregion import CHANNELS, CrossRegionMatrix
from ganzhi.rules.regions.census import province_populations

COLOURS = {"ok": "#2e7d32", "tests_failed": "#c62828", "not_supported": "#ef9a9a", "not_declared": "#e0e0e0"}
LABELS = {
    "ok": "可办理 / available",
    "tests_failed": "测试失败 / tests failed",
    "not_supported": "不支持 / not supported",
    "not_declared": "未申报 / not declared",
}


def heatmap_html(
    matrices: Sequence[CrossRegionMatrix], title: str = "跨区域通办能力热力图 / cross-region handling"
) -> str:
    """The heatmap page."""
    columns = sorted({(m.operator, c.service, c.operation) for m in matrices for c in m.capabilities})
    by_operator = {m.operator: m for m in matrices}
    names = province_populations()
    head = "".join(
        f"<th>{html.escape(op)}<br>{html.escape(svc)}<br>{html.escape(opn)}</th>" for op, svc, opn in columns
    )
    rows = []
    for province in PROVINCE_CODES:
        cells = []
        for operator, service, operation in columns:
            _ok, reason = cell_ok(by_operator[operator], province, service, operation, CHANNELS)
            cells.append(f'<td style="background:{COLOURS[reason]}" title="{html.escape(LABELS[reason])}"></td>')
        rows.append(f"<tr><th>{province} {html.escape(names[province].name)}</th>{''.join(cells)}</tr>")
    legend = "".join(
        f'<span style="background:{COLOURS[k]};padding:0 1em;margin-right:.5em"></span>{html.escape(v)} '
        for k, v in LABELS.items()
    )
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>table{{border-collapse:collapse;font:12px sans-serif}}"
        "td,th{border:1px solid #fff;padding:2px 6px}td{min-width:2.5em}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{legend}</p><table><tr><th>省份</th>{head}</tr>{''.join(rows)}</table></body></html>\n"
    )
