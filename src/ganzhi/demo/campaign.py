"""Demo evidence for the end-to-end supervision walk-through (fictional apps of the demo enterprises).

Three fictional apps publish their 已收集个人信息清单 (T6) and 与第三方共享个人信息清单 (T7). The
story, stage by stage (each stage is a JSON Lines file of evidence envelopes for `ganzhi check run`):

* ``inspection`` — 示例视频 omits the 使用目的 column of its collected list and the 共享方式 column of its
  sharing list; 示例商城 omits 共享方式; 示例资讯 is compliant;
* ``recheck``    — after the 通报 both rectify: every list is complete (issues close as FIXED);
* ``lookback``   — months later 示例视频 has dropped 共享方式 again (回头看 reopens it); 示例商城 holds.

Run `python -m ganzhi.demo.campaign STAGE OUT.jsonl` to write a stage. All names are invented.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.pi_lists import ListRow, PiList

STAGES = ("inspection", "recheck", "lookback")
STAGE_DATES = {
    "inspection": dt.datetime(2022, 2, 10, 2, tzinfo=dt.UTC),
    "recheck": dt.datetime(2022, 3, 1, 2, tzinfo=dt.UTC),
    "lookback": dt.datetime(2022, 6, 1, 2, tzinfo=dt.UTC),
}


@dataclass(frozen=True, slots=True)
class DemoApp:
    """A fictional app of a demo enterprise and which columns it leaves out at each stage."""

    package: str
    name: str
    enterprise: str
    version: str
    missing_collected: dict[str, tuple[str, ...]]
    missing_shared: dict[str, tuple[str, ...]]


APPS = (
    DemoApp(
        "com.example.video",
        "示例视频",
        "demo-video",
        "8.1.0",
        {"inspection": ("purpose",)},
        {"inspection": ("method",), "lookback": ("method",)},
    ),
    DemoApp("com.example.shop", "示例商城", "demo-shop", "5.2.1", {}, {"inspection": ("method",)}),
    DemoApp("com.example.news", "示例资讯", "demo-news", "3.0.4", {}, {}),
)

_COLLECTED = {
    "scenario": ("功能场景", "注册登录"),
    "pi_types": ("个人信息种类", "手机号码"),
    "purpose": ("使用目的", "创建账号"),
    "content": ("信息内容", "138****0000"),
    "collected_count": ("收集情况", "1条"),
}
_SHARED = {
    "third_party": ("SDK名称", "示例推送SDK"),
    "developer": ("第三方主体", "示例推送技术有限公司"),
    "scenario": ("使用场景", "消息推送"),
    "purpose": ("使用目的", "推送通知"),
    "pi_types": ("共享个人信息类型", "设备标识符"),
    "method": ("共享方式", "SDK本机采集"),
    "policy_link": ("隐私政策链接", "https://push.example.com/privacy"),
}


def _pi_list(kind: str, columns: dict[str, tuple[str, str]], missing: tuple[str, ...], source: str) -> PiList:
    kept = {role: pair for role, pair in columns.items() if role not in missing}
    categories = ["phone_number"] if kind == "collected" else ["device_id"]
    return PiList.model_validate(
        {
            "kind": kind,
            "source": source,
            "headers": {role: header for role, (header, _cell) in kept.items()},
            "rows": [ListRow(row=1, cells={r: cell for r, (_h, cell) in kept.items()}, pi_categories=categories)],
            "menu_level": 2,
        }
    )


def stage_evidence(stage: str) -> list[Evidence]:
    """The evidence of one stage of the story (deterministic: same stage, same evidence ids)."""
    if stage not in STAGES:
        raise ValueError(f"demo stage must be one of {list(STAGES)} (got {stage!r})")
    at = STAGE_DATES[stage]
    items = []
    for app in APPS:
        subject = Subject(type="app", id=app.package, version=app.version, name=app.name, enterprise=app.enterprise)
        base = f"demo:{stage}:{app.package}"
        for kind, columns, missing in (
            ("collected", _COLLECTED, app.missing_collected.get(stage, ())),
            ("shared", _SHARED, app.missing_shared.get(stage, ())),
        ):
            payload = _pi_list(kind, columns, missing, f"{base}/{kind}.html#table1")
            items.append(Evidence.of(payload, subject, f"{base}/{kind}.html", collected_at=at))
    return items


def write_stage(stage: str, out: Path) -> int:
    """Write one stage as JSON Lines of evidence envelopes; returns how many were written."""
    items = stage_evidence(stage)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item.model_dump(mode="json"), ensure_ascii=False) + "\n")
    return len(items)


def main(argv: list[str] | None = None) -> int:
    """`python -m ganzhi.demo.campaign STAGE OUT.jsonl`."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in STAGES:
        print(f"usage: python -m ganzhi.demo.campaign {{{','.join(STAGES)}}} OUT.jsonl", file=sys.stderr)
        return 2
    count = write_stage(args[0], Path(args[1]))
    print(f"wrote {count} evidence items ({args[0]}) to {args[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
