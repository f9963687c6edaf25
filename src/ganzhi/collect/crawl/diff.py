"""What changed on a site between two collections: pages, and the facts extracted from them.

The basis of 回头看 on published material: a plan added or withdrawn, a price changed, a paragraph of the
privacy policy rewritten, a hall dropped from the published list, a store listing's version or policy link
changed. Evidence items are matched by kind, subject and source page; facts inside them by their natural
key (plan id, hall name + address, tier name, list row). Output is bounded (`MAX_CHANGES`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ganzhi.evidence.base import Evidence

MAX_CHANGES = 5_000
MAX_TEXT = 500


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: `change` is added / removed / changed; `what` names the fact (Chinese / English)."""

    site: str
    kind: str
    subject: str
    change: str
    what: str
    before: str | None = None
    after: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _short(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def diff_pages(site: str, before: Mapping[str, str], after: Mapping[str, str]) -> list[Change]:
    """Pages (URL → body sha256) added, removed or with a different body."""
    out = [
        Change(site, "page", url, "added", "新页面 / new page", None, url) for url in sorted(set(after) - set(before))
    ]
    out += [
        Change(site, "page", url, "removed", "页面消失 / page gone", url, None)
        for url in sorted(set(before) - set(after))
    ]
    out += [
        Change(site, "page", url, "changed", "页面内容变化 / page content changed", before[url][:12], after[url][:12])
        for url in sorted(set(before) & set(after))
        if before[url] != after[url]
    ]
    return out


def _key(item: Evidence) -> tuple[str, str, str]:
    source = item.source.split(" (+", 1)[0]
    if item.kind == "pi_list":
        source = f"{source}:{item.data.get('kind')}"
    return (item.kind, item.subject.key, source)


def _keyed(rows: Iterable[Mapping[str, Any]], key: str) -> dict[str, Mapping[str, Any]]:
    return {str(row.get(key)): row for row in rows}


def _fields(site: str, kind: str, subject: str, label: str, old: Mapping[str, Any], new: Mapping[str, Any],
            names: Sequence[str]) -> list[Change]:  # fmt: skip
    return [
        Change(site, kind, subject, "changed", f"{label} {name}", _short(old.get(name)), _short(new.get(name)))
        for name in names
        if old.get(name) != new.get(name)
    ]


def _tariff(site: str, subject: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    kind = "tariff_catalogue"
    before, after = _keyed(old.get("plans", []), "plan_id"), _keyed(new.get("plans", []), "plan_id")
    out = [Change(site, kind, subject, "added", f"新增套餐 / new plan {pid}", None, _short(after[pid].get("name")))
           for pid in sorted(set(after) - set(before))]  # fmt: skip
    out += [Change(site, kind, subject, "removed", f"套餐下架 / plan withdrawn {pid}", _short(before[pid].get("name")),
                   None) for pid in sorted(set(before) - set(after))]  # fmt: skip
    for pid in sorted(set(before) & set(after)):
        b, a = before[pid], after[pid]
        if b.get("monthly_fee") != a.get("monthly_fee"):
            out.append(Change(site, kind, subject, "changed", f"资费变化 / price changed {pid}",
                              _short(b.get("monthly_fee")), _short(a.get("monthly_fee"))))  # fmt: skip
        bf, af = b.get("fields", {}), a.get("fields", {})
        names = sorted(n for n in set(bf) | set(af) if n != "资费标准")
        out += _fields(site, kind, subject, f"套餐 {pid} 公示字段 / plan field", bf, af, names)
    return out


def _policy(site: str, subject: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    kind = "policy_analysis"
    before = [s["text"] for s in old.get("sentences", []) if not s.get("heading")]
    after = [s["text"] for s in new.get("sentences", []) if not s.get("heading")]
    out: list[Change] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        change = {"replace": "changed", "delete": "removed", "insert": "added"}[op]
        out.append(Change(site, kind, subject, change, f"政策段落 / policy text at sentence {i1 + 1}",
                          _short("".join(before[i1:i2])) or None, _short("".join(after[j1:j2])) or None))  # fmt: skip
    return out


def _rows(site: str, kind: str, subject: str, label: str, old: Iterable[Any], new: Iterable[Any]) -> list[Change]:
    def text(row: Any) -> str:
        if isinstance(row, Mapping):
            return " | ".join(str(v) for v in (row.get("cells") or row).values() if v not in (None, "", []))
        return str(row)

    before, after = {text(r) for r in old}, {text(r) for r in new}
    return [Change(site, kind, subject, "added", f"新增{label}", None, _short(r)) for r in sorted(after - before)] + [
        Change(site, kind, subject, "removed", f"删除{label}", _short(r), None) for r in sorted(before - after)
    ]


def _halls(site: str, subject: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    def key(entries: Iterable[Mapping[str, Any]]) -> list[str]:
        return [f"{e.get('name')}｜{e.get('address', '')}" for e in entries]

    return _rows(
        site, "hall_public_list", subject, " 营业厅 / hall", key(old.get("entries", [])), key(new.get("entries", []))
    )


def _tiers(site: str, subject: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    kind = "netdisk_disclosure"
    before, after = _keyed(old.get("tiers", []), "name"), _keyed(new.get("tiers", []), "name")
    out = _rows(site, kind, subject, " 会员档位 / tier", sorted(set(before) - set(after)), [])
    out += _rows(site, kind, subject, " 会员档位 / tier", [], sorted(set(after) - set(before)))
    for name in sorted(set(before) & set(after)):
        out += _fields(site, kind, subject, f"档位 {name} / tier", before[name], after[name],
                       ("storage", "rate", "rights", "price"))  # fmt: skip
    return out


_LISTING = ("app_name", "developer", "package", "version", "updated", "policy_url", "apk_url", "permissions")


def diff_evidence(site: str, before: Sequence[Evidence], after: Sequence[Evidence]) -> list[Change]:
    """Facts added, removed or changed between two collections of one site."""
    old = {_key(e): e for e in before}
    new = {_key(e): e for e in after}
    out: list[Change] = []
    for key in sorted(set(new) - set(old)):
        out.append(Change(site, key[0], key[1], "added", f"新采集到 / newly collected ({key[2]})", None, key[2]))
    for key in sorted(set(old) - set(new)):
        out.append(Change(site, key[0], key[1], "removed", f"不再发布 / no longer published ({key[2]})", key[2], None))
    for key in sorted(set(old) & set(new)):
        a, b = old[key].data, new[key].data
        if old[key].id == new[key].id:
            continue
        kind, subject = key[0], key[1]
        if kind == "tariff_catalogue":
            out += _tariff(site, subject, a, b)
        elif kind == "policy_analysis":
            out += _policy(site, subject, a, b)
        elif kind == "hall_public_list":
            out += _halls(site, subject, a, b)
        elif kind == "netdisk_disclosure":
            out += _tiers(site, subject, a, b)
        elif kind == "pi_list":
            out += _rows(site, kind, subject, "清单行 / list row", a.get("rows", []), b.get("rows", []))
        elif kind == "store_listing":
            out += _fields(site, kind, subject, "上架信息 / listing", a, b, _LISTING)
        else:
            out.append(Change(site, kind, subject, "changed", f"内容变化 / content changed ({key[2]})"))
        if len(out) >= MAX_CHANGES:
            break
    return out[:MAX_CHANGES]
