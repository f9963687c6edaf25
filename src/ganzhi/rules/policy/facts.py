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
    (
        "collect",
        re.compile(
            r"收集|获取|采集|读取|访问|调用|记录|上传|识别|需要您提供|提供您的|填写|输入|提交|绑定|"
            r"您(?:需要|须|应当?|可以|可)?(?:向我们|向本平台|向我方)?提供"
        ),
    ),
    ("store", re.compile(r"存储|保存|留存")),
    ("use", re.compile(r"使用|用于|处理")),
)
_NEGATION = re.compile(
    r"(不会|不|绝不|并不|从不|未|无需|不需要|没有)(会|再)?(主动)?(向[^，。]{0,10})?(收集|获取|采集|读取|访问|调用|共享|提供|使用|存储|保存|上传|申请)"
)
_NEG_CONDITIONAL = re.compile(r"除非|除外|未经|如果不|若不|不同意|拒绝|无法|不能|不影响|否则")
#: an exception stated after the denial ("…不会共享，但以下情况除外") still makes it a condition
_NEG_EXCEPTION_AFTER = re.compile(r"除非|除外")
#: clause boundaries: a negation governs the PI phrases of its own clause only ("收集位置，但不会收集行踪")
_CLAUSE_END = re.compile(r"[，,；;。：:！？!?]|但是|但|而|同时")
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


#: the user using the service ("您使用我们的服务", "使用本产品") is not a processing verb
_USER_USE = re.compile(
    r"(?:您|用户|监护人)[^，。；]{0,8}?使用|使用(?:我们的|本|该)?[^，。；]{0,6}?(?:产品|服务|功能|应用|APP|App|app|软件)"
)


def sentence_action(text: str) -> Action | None:
    """The strongest action the sentence states (share > permission > collect > store > use)."""
    text = _USER_USE.sub("", text)
    for action, pattern in _ACTIONS:
        if pattern.search(text):
            return action
    return None


def is_negated(text: str) -> bool:
    """'不会收集…' style denial, not a conditional ('未经同意不会共享' is a condition, not a denial)."""
    return bool(_NEGATION.search(text)) and not _NEG_CONDITIONAL.search(text)


def _clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the clauses of a sentence."""
    out: list[tuple[int, int]] = []
    start = 0
    for match in _CLAUSE_END.finditer(text):
        out.append((start, match.start()))
        start = match.end()
    out.append((start, len(text)))
    return out


#: a clause whose agent is another party ("您的银行卡信息由支付机构处理") states no processing by the app
_OTHER_AGENT = re.compile(
    r"由(?!我们|我方|本平台|本公司|本应用|本产品|本APP|您)[^，。；]{2,20}?(?:处理|收集|获取|采集|保存|存储|负责)"
)


def other_agent_spans(text: str) -> list[tuple[int, int]]:
    """Clauses of `text` whose processing is done by another named party, as offsets."""
    return [(start, end) for start, end in _clauses(text) if _OTHER_AGENT.search(text[start:end])]


_SUBJECT_OR_MODAL = re.compile(r"我们|我方|本公司|本应用|需要|会|将|可|应|须|仅|只")


def _is_topic(clause: str) -> bool:
    """A clause naming data only ("您的通讯录、短信内容"): no verb, no subject, no modal."""
    return sentence_action(clause) is None and not _SUBJECT_OR_MODAL.search(clause)


def denied_spans(text: str) -> list[tuple[int, int]]:
    """Clauses of `text` that deny processing ('我们不会收集您的通讯录'), as offsets.

    A denial covers only its own clause, so "我们会收集位置信息，但不会收集行踪轨迹" denies nothing about the
    first clause. A condition in the same or an earlier clause ("未经您同意，我们不会共享…"), or an exception
    after it ("…，但以下情况除外"), makes the whole denial a condition, not a denial.
    """
    spans = _clauses(text)
    out: list[tuple[int, int]] = []
    for i, (start, end) in enumerate(spans):
        clause = text[start:end]
        if not _NEGATION.search(clause):
            continue
        if _NEG_CONDITIONAL.search(text[:end]) or _NEG_EXCEPTION_AFTER.search(text[end:]):
            continue
        out.append((start, end))
        if find_terms(clause):
            continue
        # a topic put first ("您的通讯录、短信内容，我们都不会读取"): the denial covers the verb-less clauses before it
        j = i - 1
        while j >= 0 and _is_topic(text[spans[j][0] : spans[j][1]]):
            out.append(spans[j])
            j -= 1
    return out


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
            if pattern is _RECIPIENT and re.search("(?:有限责任公司|有限公司|公司|集团)$", name):
                name = _trim_org(name)
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
        denied = denied_spans(text)
        others = other_agent_spans(text) if action != "share" else []
        purpose = purpose_of(text)
        recipients = recipients_in(text) if action == "share" else []
        # one fact per category and polarity: a sentence may state one use of a category and deny another
        by_category: dict[tuple[str, bool], str] = {}
        for category, phrase, offset in terms:
            if any(start <= offset < end for start, end in others):
                continue
            negated = any(start <= offset < end for start, end in denied)
            by_category.setdefault((category, negated), phrase)
        for (category, negated), phrase in by_category.items():
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


_ORG = r"[\u4e00-\u9fa5A-Za-z0-9（）()·&+]{2,40}?(?:有限责任公司|股份有限公司|有限公司|公司|集团)"
#: who runs the app: "由X开发和运营", "X（以下简称“我们”）", "X是您个人信息的处理者", "运营者为X"
_OPERATOR = (
    re.compile(r"由(" + _ORG + r")(?:（[^）]{0,60}）)?(?:负责|共同|独立)?(?:开发|运营|提供|控制|发布|所有)"),
    re.compile(r"(" + _ORG + r")(?:（[^）]{0,80}）)?(?:是|为|作为)[^，。]{0,6}个人信息(?:的)?(?:处理者|控制者)"),
    re.compile(r"(" + _ORG + r")[^，。]{0,60}?以下(?:简|统)称[“\"'「]?(?:我们|我方|本公司)"),
    re.compile(r"(?:运营者|运营方|运营主体|开发者|处理者|我们)(?:是|为|指|：|:)(" + _ORG + r")"),
)
#: named affiliates: "关联公司X", "X等关联公司", "关联方X"
_AFFILIATE = (
    re.compile(r"关联(?:公司|方|企业)(?:（[^）]{0,20}）)?[“\"「]?(" + _ORG + r")"),
    re.compile(r"(" + _ORG + r")(?:等|及其他)?关联(?:公司|方|企业)"),
)
_CUT = re.compile(r".*(?:由|向|给|与|将|被|把|对|及|、|包括|例如|如|即|是|为)")


def _trim_org(name: str) -> str:
    """The organisation name without a leading clause fragment ("云帆阅读由杭州…公司" → "杭州…公司")."""
    return _CUT.sub("", name).strip("（）() ") if _CUT.match(name) else name


def first_parties(text: str) -> list[str]:
    """The app's operator(s) and named affiliates: the policy's first party, never a "third party"."""
    found: list[str] = []
    for pattern in (*_OPERATOR, *_AFFILIATE):
        for match in pattern.finditer(text):
            name = _trim_org(match.group(1))
            if len(name) >= 4 and name not in found:
                found.append(name)
    return found


def mentions_affiliates(text: str) -> bool:
    """Whether a text discloses processing by affiliates (关联公司/关联方) as a class."""
    return bool(re.search(r"关联(?:公司|方|企业)", text))
