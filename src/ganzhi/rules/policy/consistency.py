"""Claims compared across documents: summary vs full policy, list vs policy, policy vs APK.

Pure functions over evidence models (no I/O), used by the T3 faithfulness and T6 consistency checks.
A claim is a PI category stated as processed (a non-negated fact) or denied (a negated fact such as
"不会收集通讯录"), or a named third party. Each finding quotes the sentence that makes the claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ganzhi.evidence.pi_lists import AppPiFacts, PiList
from ganzhi.evidence.policy import PiFact, PolicyAnalysis
from ganzhi.rules.policy.facts import KNOWN_VENDORS, first_parties, mentions_affiliates
from ganzhi.rules.policy.pi_lexicon import BY_ID, PERMISSION_CATEGORIES, categories_in, permission_short

#: a recipient worth checking names an organisation or SDK, not a generic phrase ("统计分析")
_NAMED_PARTY = re.compile(r"(SDK|sdk|公司|集团)$|" + KNOWN_VENDORS.pattern)

#: how a named party is split into the names it may list ("友盟SDK和极光推送SDK", "A、B")
_PARTY_SEPARATORS = re.compile(r"[和及与、/，,]|以及")
#: words that describe a party rather than name it; stripped to reach the distinctive core ("友盟+ SDK" → "友盟+")
_PARTY_SUFFIX = re.compile(
    r"(?:有限责任公司|股份有限公司|有限公司|公司|集团|开放平台|平台|sdk|服务商|服务|推送|统计|分析|地图|定位|支付|"
    r"科技|信息技术|网络技术|技术|网络|信息|软件|数据|广告|[ +＋·])+$"
)
_REGION = re.compile(r"[（(](?:北京|上海|天津|重庆|深圳|广州|杭州|[\u4e00-\u9fa5]{2,3})[)）]")
_CITY_PREFIX = re.compile(
    r"^(?:北京|上海|天津|重庆|深圳|广州|杭州|南京|成都|武汉|西安|苏州|厦门|[\u4e00-\u9fa5]{2,3}[省市])"
)
_GENERIC_PARTY = re.compile(r"^(?:第三方|合作伙伴|合作方|关联|我们的?|本|相关|其他|部分|授权)+$")


def _party_cores(name: str) -> list[str]:
    """Distinctive cores of a party name: without region brackets, legal suffixes and service words."""
    base = _REGION.sub("", name.lower()).strip()
    core = _PARTY_SUFFIX.sub("", base).strip()
    cores = [core] if len(core) >= 2 and not _GENERIC_PARTY.match(core) else []
    shorter = _CITY_PREFIX.sub("", core)
    if shorter != core and len(shorter) >= 2:
        cores.append(shorter)
    return cores


def party_named_in(name: str, text: str, first: list[str] | None = None) -> bool:
    """Whether `text` names party `name`, or it is one of the `first` parties (operator, affiliates).

    Compared by distinctive core so "友盟+ SDK" matches "友盟+SDK（友盟同欣（北京）科技有限公司）" and "极光推送SDK"
    matches "极光推送（JPush）SDK"; a list of parties ("友盟SDK和极光推送SDK") is named when every part is.
    """
    lowered = "".join(text.lower().split())
    whole = "".join(name.lower().split())
    if whole and whole in lowered:
        return True
    own = [c for party in first or [] for c in _party_cores(party)]
    parts = [p for p in _PARTY_SEPARATORS.split(name) if p.strip()]
    for part in parts:
        cores = _party_cores(part)
        if not cores:
            continue  # a generic word ("SDK", "第三方"), not a name
        if any(c.replace(" ", "") in lowered for c in cores):
            continue
        if any(c in o or o in c for c in cores for o in own):
            continue
        return False
    return True


Problem = Literal[
    "UNSUPPORTED", "CONTRADICTED", "OMITS_SENSITIVE", "UNSUPPORTED_RECIPIENT", "NOT_IN_POLICY", "ONLY_MENTIONED"
]


@dataclass(frozen=True, slots=True)
class Claims:
    """What one body of text states: categories processed, categories denied, recipients, and quotes."""

    stated: frozenset[str]
    denied: frozenset[str]
    recipients: tuple[str, ...]
    text: str
    quotes: dict[str, str] = field(default_factory=dict)
    mentioned: frozenset[str] = frozenset()

    @property
    def firmly_denied(self) -> frozenset[str]:
        """Denied and never stated as processed (a policy may deny only one use of a category)."""
        return self.denied - self.stated


@dataclass(frozen=True, slots=True)
class Finding:
    """One inconsistency: its kind, the PI category or recipient, and the sentence behind it."""

    problem: Problem
    item: str
    quote: str = ""
    other_quote: str = ""


def _claims(analysis: PolicyAnalysis, facts: list[PiFact], indices: set[int] | None, recipients: list[str]) -> Claims:
    texts = {s.index: s.text for s in analysis.sentences if indices is None or s.index in indices}
    quotes: dict[str, str] = {}
    for fact in facts:
        key = ("-" if fact.negated else "+") + fact.category
        quotes.setdefault(key, texts.get(fact.sentence, "")[:120])
    return Claims(
        stated=frozenset(f.category for f in facts if not f.negated),
        denied=frozenset(f.category for f in facts if f.negated),
        recipients=tuple(recipients),
        text="".join(t for i, t in sorted(texts.items())),
        quotes=quotes,
        mentioned=frozenset(categories_in("\n".join(texts.values()))),
    )


def summary_and_policy(analyses: list[PolicyAnalysis]) -> tuple[Claims, Claims] | None:
    """(summary claims, full-policy claims): a summary inside a policy document against the rest of it, or a
    separate summary document against the full policy supplied with it. None when there is nothing to compare."""
    with_summary = [a for a in analyses if a.summary is not None]
    if not with_summary:
        return None
    holder = with_summary[0]
    summary = holder.summary
    if summary is None:  # pragma: no cover - filtered above
        return None
    in_summary = set(summary.sentences)
    summary_facts = [f for f in holder.facts if f.sentence in in_summary]
    summary_claims = _claims(holder, summary_facts, in_summary, summary.recipients)
    rest = {s.index for s in holder.sentences if not s.heading} - in_summary
    full = [a for a in analyses if a.summary is None]
    if summary.how == "section" or (rest and not full):
        # the summary sits inside the policy document (a section, or printed ahead of the full text)
        policy_facts = [f for f in holder.facts if f.sentence not in in_summary]
        return summary_claims, _claims(holder, policy_facts, rest, holder.recipients)
    if not full:
        return None
    return summary_claims, _claims(full[0], list(full[0].facts), None, full[0].recipients)


def policy_claims(analysis: PolicyAnalysis) -> Claims:
    """Claims of a whole policy document."""
    return _claims(analysis, list(analysis.facts), None, analysis.recipients)


def summary_faithfulness(summary: Claims, policy: Claims, *, require_sensitive: bool = True) -> list[Finding]:
    """Every summary claim is supported by the policy; no sensitive category the policy processes is left out."""
    out: list[Finding] = []
    for category in sorted(summary.stated):
        quote = summary.quotes.get("+" + category, "")
        if category in policy.firmly_denied:
            out.append(Finding("CONTRADICTED", category, quote, policy.quotes.get("-" + category, "")))
        elif category not in policy.stated and category not in policy.mentioned:
            out.append(Finding("UNSUPPORTED", category, quote))
    for category in sorted(summary.firmly_denied & policy.stated):
        if category not in policy.denied:
            denial, statement = summary.quotes.get("-" + category, ""), policy.quotes.get("+" + category, "")
            out.append(Finding("CONTRADICTED", category, denial, statement))
    # the operator is never a third party; named affiliates are first parties when the policy discloses affiliates
    own = first_parties(policy.text) + first_parties(summary.text)
    if not mentions_affiliates(policy.text):
        operators = first_parties(policy.text)
        own = operators + [p for p in first_parties(summary.text) if not _is_affiliate_in(p, summary.text)]
    for name in summary.recipients:
        if _NAMED_PARTY.search(name) and not party_named_in(name, policy.text, own):
            out.append(Finding("UNSUPPORTED_RECIPIENT", name))
    if require_sensitive:
        mentioned = summary.stated | summary.denied
        for category in sorted(policy.stated - mentioned):
            if category in BY_ID and BY_ID[category].sensitive:
                out.append(Finding("OMITS_SENSITIVE", category, "", policy.quotes.get("+" + category, "")))
    return out


def _is_affiliate_in(name: str, text: str) -> bool:
    """Whether `text` introduces `name` as an affiliate (关联公司X / X等关联公司)."""
    at = text.find(name)
    return at >= 0 and bool(re.search(r"关联(?:公司|方|企业)", text[max(0, at - 8) : at + len(name) + 8]))


def list_vs_policy(lists: list[PiList], policy: Claims) -> list[Finding]:
    """Categories on the collected list that the policy never states, or firmly denies."""
    out: list[Finding] = []
    seen: set[str] = set()
    for parsed in lists:
        for row in parsed.rows:
            for category in row.pi_categories:
                if category in seen:
                    continue
                seen.add(category)
                quote = f"{parsed.source} 第{row.row}行：{row.cells.get('pi_types', '')[:80]}"
                if category in policy.firmly_denied:
                    out.append(Finding("CONTRADICTED", category, quote, policy.quotes.get("-" + category, "")))
                elif category in policy.mentioned and category not in policy.stated:
                    # named in the policy, but in no sentence we read as processing it: a person decides
                    out.append(Finding("ONLY_MENTIONED", category, quote))
                elif category not in policy.stated:
                    out.append(Finding("NOT_IN_POLICY", category, quote))
    return out


def uncovered_sources(
    facts: AppPiFacts, named: set[str] | frozenset[str], indicative: set[str] | frozenset[str] = frozenset()
) -> list[tuple[str, list[str], list[str]]]:
    """(category, definite sources, indicative sources) for each category the APK reaches that `named` lacks.

    A permission reaching several categories (READ_PHONE_STATE → 电话状态 and 设备标识符) is accounted for when
    any of them is named: lists and policies name what is collected through it ("设备信息（IMEI）"). An API call
    counts only for its own category. Sources through an `indicative` (normal, install-time) permission show a
    possibility, not an access; a category with only such sources has an empty definite list.
    """
    out: list[tuple[str, list[str], list[str]]] = []
    for category in sorted(facts.categories() - set(named)):
        definite: set[str] = set()
        weak: set[str] = set()
        for source in facts.sources:
            if source.category != category:
                continue
            if source.kind == "permission":
                short = permission_short(source.via)
                if set(PERMISSION_CATEGORIES.get(short, ())) & set(named):
                    continue
                (weak if short in indicative else definite).add(source.via)
            else:
                definite.add(source.via)
        if definite or weak:
            out.append((category, sorted(definite), sorted(weak)))
    return out


def apk_vs_policy(facts: AppPiFacts, policy: Claims) -> list[Finding]:
    """Categories the APK reaches that the policy denies ("不会收集通讯录") or never states."""
    out: list[Finding] = []
    for category in sorted(facts.categories() & policy.firmly_denied):
        via = sorted({s.via for s in facts.sources if s.category == category})
        out.append(Finding("CONTRADICTED", category, "、".join(via[:3]), policy.quotes.get("-" + category, "")))
    for category, definite, weak in uncovered_sources(facts, policy.stated | policy.firmly_denied):
        out.append(Finding("NOT_IN_POLICY", category, "、".join((definite + weak)[:3])))
    return out
