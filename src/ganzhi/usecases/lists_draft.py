"""Draft the two lists (已收集个人信息清单, 与第三方共享个人信息清单) from an APK, for a company to complete.

Rows come from what the APK shows: PI categories reached by permissions and API calls (first-party
rows; SDK-attributed calls go to the SDK's row) and the SDK inventory (vendor, purpose, PI, policy
link from the curated table). Purposes are prefilled from the privacy policy when one is given.
Anything the APK cannot tell is marked 【待填写】. Both files say clearly that they are drafts. The
workbook goes through the formula-safe writer (`ganzhi.outputs.sheets`): purposes quoted from a privacy
policy and SDK names are text an app developer controls.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ganzhi.collect.lists.apk_facts import app_pi_facts, counted_matches
from ganzhi.evidence.apk import ApkStatic
from ganzhi.evidence.policy import PolicyAnalysis
from ganzhi.outputs.sheets import Sheet
from ganzhi.outputs.sheets import to_xlsx as sheets_to_xlsx
from ganzhi.rules.policy.pi_lexicon import BY_ID, api_method, permission_short

TO_FILL = "【待填写】"
BANNER = (
    "【草稿，须人工核对补全 / DRAFT for human review】由ganzhi根据APK静态分析自动生成，标注【待填写】处须由企业补全。"
)
COLLECTED_TITLE = "已收集个人信息清单（草稿）"
SHARED_TITLE = "与第三方共享个人信息清单（草稿）"
COLLECTED_HEADERS = ("信息种类", "使用目的", "使用场景", "收集方式", "是否敏感个人信息", "收集情况")
SHARED_HEADERS = (
    "第三方名称",
    "第三方主体",
    "共享目的",
    "共享的个人信息种类",
    "共享方式",
    "使用场景",
    "隐私政策链接",
    "SDK包名",
)
SDK_METHOD = "嵌入第三方SDK，由SDK在本机直接收集"
#: Column width (characters) of the draft workbook: long Chinese headers stay readable.
COLUMN_WIDTH = 24


@dataclass(frozen=True, slots=True)
class DraftLists:
    """Rows of both lists, in header order."""

    package: str
    collected: list[list[str]]
    shared: list[list[str]]


def _purposes(policy: PolicyAnalysis | None) -> dict[str, str]:
    """PI category → purposes the policy states for it (non-negated facts with a purpose)."""
    out: dict[str, list[str]] = {}
    for fact in policy.facts if policy is not None else []:
        if fact.purpose and not fact.negated:
            bucket = out.setdefault(fact.category, [])
            if fact.purpose not in bucket and len(bucket) < 3:
                bucket.append(fact.purpose)
    return {k: "；".join(v) for k, v in out.items()}


def draft_lists(apk: ApkStatic, policy: PolicyAnalysis | None = None) -> DraftLists:
    """Draft rows from APK facts (and the policy's stated purposes)."""
    matches = counted_matches(apk)
    facts = app_pi_facts(apk, matches)
    purposes = _purposes(policy)
    collected: list[list[str]] = []
    for category in sorted({s.category for s in facts.sources if s.sdk is None}):
        info = BY_ID.get(category)
        via = sorted(
            {
                permission_short(s.via) if s.kind == "permission" else api_method(s.via)
                for s in facts.sources
                if s.category == category and s.sdk is None
            }
        )
        collected.append(
            [
                info.zh if info else category,
                purposes.get(category, TO_FILL),
                TO_FILL,
                "通过" + "、".join(via[:4]) + "获取",
                "是" if info and info.sensitive else "否",
                TO_FILL,
            ]
        )
    shared: list[list[str]] = []
    for match in matches:
        reached = sorted(BY_ID[s.category].zh for s in facts.sources if s.sdk == match.name and s.category in BY_ID)
        pi_items = [item for items in match.pi_collected.values() for item in items] + reached
        prefixes = sorted({m.value.rstrip(".") for m in match.matched_by if m.kind == "class_prefix"})
        shared.append(
            [
                match.name,
                match.vendor or TO_FILL,
                match.purpose or TO_FILL,
                "、".join(dict.fromkeys(pi_items)) or TO_FILL,
                SDK_METHOD,
                TO_FILL,
                match.privacy_policy_url or TO_FILL,
                "、".join(prefixes) or TO_FILL,
            ]
        )
    return DraftLists(package=apk.package, collected=collected, shared=shared)


def to_xlsx(draft: DraftLists) -> bytes:
    """A workbook with one sheet per list: banner row, header row, data rows."""
    return sheets_to_xlsx(
        [
            Sheet(COLLECTED_TITLE, COLLECTED_HEADERS, draft.collected, banner=BANNER, column_width=COLUMN_WIDTH),
            Sheet(SHARED_TITLE, SHARED_HEADERS, draft.shared, banner=BANNER, column_width=COLUMN_WIDTH),
        ]
    )


def _table(title: str, headers: Sequence[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<h2>{html.escape(title)}</h2>\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>{body}</tbody>\n</table>\n"


def to_html(draft: DraftLists) -> str:
    """A standalone page with both lists; every value is HTML-escaped, no scripts."""
    return (
        '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(draft.package)} 个人信息双清单（草稿）</title>"
        "<style>table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px}"
        ".banner{color:#c00000;font-weight:bold}</style></head><body>\n"
        f'<p class="banner">{html.escape(BANNER)}</p>\n'
        + _table(COLLECTED_TITLE, COLLECTED_HEADERS, draft.collected)
        + _table(SHARED_TITLE, SHARED_HEADERS, draft.shared)
        + "</body></html>\n"
    )


def write_drafts(draft: DraftLists, out_dir: Path) -> list[Path]:
    """Write `<package>_lists_draft.xlsx` and `.html` into `out_dir`; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = "".join(c if c.isalnum() or c in "._-" else "_" for c in draft.package) or "app"
    xlsx = out_dir / f"{stem}_lists_draft.xlsx"
    page = out_dir / f"{stem}_lists_draft.html"
    xlsx.write_bytes(to_xlsx(draft))
    page.write_text(to_html(draft), encoding="utf-8")
    return [xlsx, page]
