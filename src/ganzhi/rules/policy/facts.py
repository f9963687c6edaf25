"""Fact extraction: which PI, which action, for what purpose, shared with whom; negations kept.

Lexicon and pattern rules in the style of PolicyLint (actor/action/data/negation) and PoliGraph's local
ontology is approximated by taking every PI phrase inside a sentence that has an action verb.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ganzhi.evidence.policy import Action, PiFact
from ganzhi.rules.policy.pi_lexicon import find_terms

_ACTIONS: tuple[tuple[Action, re.Pattern[str]], ...] = (
    ("share", re.compile(r"共享|提供给|对外提供|委托|转让|公开披露|披露给|传输给|分享给")),
    ("permission", re.compile(r"权限|授权.{0,6}(访问|调用|开启)")),
    ("collect", re.compile(r"收集|获取|采集|读取|访问|调用|记录|上传|需要您提供|您需要提供|提供您的|填写")),
    ("store", re.compile(r"存储|保存|留存")),
    ("use", re.compile(r"使用|用于|处理")),
)
_NEGATION = re.compile(
    r"(不会|不|绝不|并不|从不|未|无需|不需要|没有)(会|再)?(主动)?(向[^，。]{0,10})?(收集|获取|采集|读取|访问|调用|共享|提供|使用|存储|保存|上传|申请)"
)
_NEG_CONDITIONAL = re.compile(r"除非|除外|未经|如果不|若不|不同意|拒绝|无法|不能|不影响|否则")
_PURPOSE = re.compile(r"(?:用于|以便|为了|目的是|以|用来)([^，。；]{2,30})")
_RECIPIENT = re.compile(
    r"([\u4e00-\u9fa5A-Za-z0-9（）()]{2,30}?(?:SDK|sdk|公司|有限公司|集团|平台|推送|统计|地图|支付|分析))"
)
KNOWN_VENDORS = re.compile(
    r"(友盟|极光|个推|高德|百度地图|百度定位|腾讯Bugly|Bugly|微信|支付宝|银联|华为推送|小米推送|OPPO推送|vivo推送|"
    r"穿山甲|广点通|神策|TalkingData|阿里云|腾讯云|新浪微博|QQ|抖音|快手|Firebase|Google)"
)


#: every recipient match ends in one of these words or names a known vendor; a cheap test before the slow pattern
_RECIPIENT_HINT = re.compile(r"SDK|sdk|公司|集团|平台|推送|统计|地图|支付|分析|" + KNOWN_VENDORS.pattern.strip("()"))


def sentence_action(text: str) -> Action | None:
    """The strongest action the sentence states (share > permission > collect > store > use)."""
    for action, pattern in _ACTIONS:
        if pattern.search(text):
            return action
    return None


def is_negated(text: str) -> bool:
    """'不会收集…' style denial, not a conditional ('未经同意不会共享' is a condition, not a denial)."""
    return bool(_NEGATION.search(text)) and not _NEG_CONDITIONAL.search(text)


def purpose_of(text: str) -> str | None:
    """The first purpose phrase (用于/以便/为了…) of a sentence."""
    match = _PURPOSE.search(text)
    return match.group(1).strip() if match else None


def recipients_in(text: str) -> list[str]:
    """Third parties and SDKs a sentence names (known vendors and '…SDK/公司' phrases)."""
    found: list[str] = []
    if not _RECIPIENT_HINT.search(text):
        return found
    for pattern in (KNOWN_VENDORS, _RECIPIENT):
        for match in pattern.finditer(text):
            name = match.group(1).strip("（）() ")
            if name and name not in found and not name.startswith(("我们", "您", "本")):
                found.append(name)
    return found


def extract_facts(sentences: Sequence[tuple[int, str]]) -> list[PiFact]:
    """Facts of (index, text) sentences; one fact per (sentence, category)."""
    facts: list[PiFact] = []
    for index, text in sentences:
        action = sentence_action(text)
        if action is None:
            continue
        terms = find_terms(text)
        if not terms:
            continue
        negated = is_negated(text)
        purpose = purpose_of(text)
        recipients = recipients_in(text) if action == "share" else []
        seen: set[str] = set()
        for category, phrase, _ in terms:
            if category in seen:
                continue
            seen.add(category)
            facts.append(
                PiFact(
                    category=category,
                    phrase=phrase,
                    action=action,
                    negated=negated,
                    sentence=index,
                    purpose=purpose,
                    recipients=recipients,
                )
            )
    return facts
