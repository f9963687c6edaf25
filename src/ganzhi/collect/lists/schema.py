"""Column roles of the two lists and the header wording that maps to each (tolerant matching).

Our own table, written from the MIIT 2021 interpretation, PIPL Art.23 and common industry layouts; the
shared `double_list_schemas.json` is used by the tests as an independent check that every synonym is
recognised.
"""

from __future__ import annotations

import re

from ganzhi.evidence.pi_lists import ListKind

#: role → header phrases, most specific first; matching is on the normalised header (no spaces/punctuation).
ROLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "sdk_package": ("sdk包名", "包名"),
    "policy_link": ("隐私政策链接", "隐私政策地址", "隐私政策", "隐私权政策", "政策链接", "链接"),
    "third_party": (
        "第三方名称",
        "sdk名称",
        "合作方名称",
        "接收方名称",
        "第三方sdk",
        "sdk",
        "合作方",
        "接收方",
        "第三方",
    ),
    "developer": (
        "第三方主体",
        "所属公司",
        "sdk提供方",
        "第三方公司名称",
        "开发者",
        "公司名称",
        "运营方",
        "提供方",
        "主体",
    ),
    "permissions": ("申请的系统权限", "对应系统权限", "敏感系统权限", "所需权限", "调用权限", "系统权限", "权限"),
    "method": ("共享个人信息方式", "共享方式", "传输方式", "收集方式", "处理方式", "获取方式", "方式"),
    "purpose": ("个人信息共享目的", "sdk用途", "使用目的", "处理目的", "收集目的", "共享目的", "目的", "用途"),
    "scenario": ("业务功能", "功能场景", "业务场景", "使用场景", "共享场景", "场景描述", "场景", "功能"),
    "pi_types": (
        "共享的个人信息种类",
        "共享个人信息类型",
        "收集个人信息范围",
        "收集信息范围",
        "个人信息种类",
        "个人信息类型",
        "收集的个人信息",
        "个人信息字段",
        "信息种类",
        "信息名称",
        "信息类型",
        "个人信息",
        "信息",
    ),
    "sensitive": ("是否敏感个人信息", "敏感信息标识", "是否敏感"),
    "frequency": ("频次或者时机", "频次或时机", "收集频次", "触发时机", "调用频率", "频度", "频次", "时机"),
    "collected_count": ("收集情况", "已收集数量", "收集次数", "已收集内容", "查询"),
    "content": ("信息内容", "内容"),
    "retention": ("保存期限", "存储期限"),
    "version": ("sdk版本", "版本"),
    "deidentified": ("是否去标识化", "去标识化"),
    "contact": ("联系方式",),
}

#: MIIT minimum per list (the interpretation's 种类/目的/场景, plus 共享方式 and the recipient for sharing).
REQUIRED_ROLES: dict[ListKind, tuple[str, ...]] = {
    "collected": ("pi_types", "purpose", "scenario"),
    "shared": ("third_party", "pi_types", "purpose", "scenario", "method"),
}
ROLE_LABEL_ZH: dict[str, str] = {
    "pi_types": "个人信息种类",
    "purpose": "使用目的",
    "scenario": "使用场景",
    "method": "共享方式",
    "third_party": "第三方/SDK名称",
    "developer": "开发者/第三方主体",
    "policy_link": "隐私政策链接",
    "collected_count": "收集情况",
    "content": "信息内容",
}
LIST_TITLES: dict[ListKind, tuple[str, ...]] = {
    "collected": ("已收集个人信息清单", "个人信息收集清单", "个人信息收集使用清单", "已收集个人信息明示清单"),
    "shared": (
        "与第三方共享个人信息清单",
        "第三方信息共享清单",
        "第三方共享个人信息清单",
        "第三方sdk目录",
        "第三方sdk清单",
        "接入第三方sdk目录",
        "第三方共享清单",
    ),
}
_STRIP = re.compile(r"[\s\u3000:：*（）()\[\]【】/、,，.。·\-_\"'“”]+")


def normalize_header(header: str) -> str:
    """Lower-case, without spaces, punctuation or brackets."""
    return _STRIP.sub("", header).lower()


def match_role(header: str, taken: set[str] | None = None) -> str | None:
    """The role a header names: the longest synonym contained in it wins; roles already taken are skipped."""
    norm = normalize_header(header)
    if not norm:
        return None
    best: tuple[int, str] | None = None
    for role, phrases in ROLE_SYNONYMS.items():
        if taken and role in taken:
            continue
        for phrase in phrases:
            if phrase in norm and (best is None or len(phrase) > best[0]):
                best = (len(phrase), role)
    return best[1] if best else None


def assign_roles(headers: list[str]) -> dict[int, str]:
    """Column index → role for a header row: left to right, each role once, then two repairs.

    When a second column wants a role already taken (both "合作方名称" and "SDK名称" name the recipient), the
    column naming an SDK keeps `third_party` and the other becomes its `developer`, so neither is lost.
    """
    roles: dict[int, str] = {}
    taken: set[str] = set()
    wanted: dict[int, str] = {}
    for col, cell in enumerate(headers):
        role = match_role(cell, taken)
        if role:
            roles[col] = role
            taken.add(role)
        else:
            first = match_role(cell)
            if first:
                wanted[col] = first
    for col, role in wanted.items():
        holder = next((c for c, r in roles.items() if r == role), None)
        if role != "third_party" or holder is None or "developer" in taken:
            continue
        if "sdk" in normalize_header(headers[col]) and "sdk" not in normalize_header(headers[holder]):
            roles[holder], roles[col] = "developer", "third_party"
        else:
            roles[col] = "developer"
        taken.add("developer")
    return dict(sorted(roles.items()))


#: canonical sharing methods and the wording lists use for them (GB/T 35273 / MIIT interpretation practice)
_METHOD_SDK = re.compile(r"sdk|本机|嵌入|集成|客户端", re.IGNORECASE)
_METHOD_API = re.compile(r"接口|api|服务器|服务端|后台|后端|传输|传送|提供给|委托", re.IGNORECASE)
_METHOD_COLLECT = re.compile(r"采集|收集|获取|调用|读取")


def sharing_method(value: str) -> str | None:
    """The canonical sharing method a 共享方式 cell names ("SDK采集" → "SDK本机采集", "接口传输" → "后台接口传输"),
    or None when it names neither (the checks then warn with the value)."""
    text = normalize_header(value)
    if _METHOD_SDK.search(text) and (_METHOD_COLLECT.search(text) or text == "sdk"):
        return "SDK本机采集"
    if _METHOD_API.search(text):
        return "后台接口传输"
    if _METHOD_SDK.search(text):
        return "SDK本机采集"
    return None


def guess_kind(headers: list[str], title: str | None = None) -> ListKind:
    """`shared` when the title or a header names a third party/SDK or a sharing method, else `collected`."""
    text = normalize_header(title or "")
    for kind, titles in LIST_TITLES.items():
        if any(normalize_header(t) in text for t in titles):
            return kind
    roles = {match_role(h) for h in headers}
    return "shared" if roles & {"third_party", "developer", "sdk_package", "policy_link"} else "collected"
