"""How operators word yes/no cells and operator names in the tables they publish, read tolerantly.

Published registries and matrices rarely use true/false: they write 支持 / 暂不支持, 可办理, √, 办理成功,
未能办理, and name the operator inside a hall or company name (中国移动南京新街口营业厅,
中国联合网络通信有限公司江苏省分公司). These helpers read such wording; a value they cannot read is
returned as None so the importer can report it naming the value, never guess.
"""

from __future__ import annotations

import re
from typing import Any

#: Negative wording, checked first: 不支持 contains 支持, 未能办理 contains 办理.
_NO = re.compile(
    r"^(?:否|无|不|no|n|false|f|0|×|✗|✘|x)$|不支持|不能|不可|不予|不提供|不受理|不开放|不办理|暂不|未能|未开通|未上线"
    r"|未办理|未成功|无法|暂停|停止|失败|拒绝|没有|×|✗|✘",
    re.IGNORECASE,
)
_YES = re.compile(
    r"^(?:是|有|yes|y|true|t|1|√|✓|✔|○|●|v)$|支持|可以|可办|可用|能办|成功|已开通|已上线|开放|办结|正常办理|接通",
    re.IGNORECASE,
)

#: Operator names as they appear inside hall and company names, longest first.
_OPERATOR_WORDS: tuple[tuple[str, str], ...] = (
    ("中国移动", "china_mobile"),
    ("中移", "china_mobile"),
    ("移动", "china_mobile"),
    ("中国联合网络通信", "china_unicom"),
    ("中国联通", "china_unicom"),
    ("联通", "china_unicom"),
    ("中国电信", "china_telecom"),
    ("电信", "china_telecom"),
    ("中国广电", "china_broadnet"),
    ("广电", "china_broadnet"),
    ("cmcc", "china_mobile"),
    ("cucc", "china_unicom"),
    ("ctcc", "china_telecom"),
)


def yes_no(value: Any) -> bool | None:
    """True / False for a yes/no cell as operators write it (支持, 暂不支持, √, 办理成功…); None when unreadable."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value) if value in (0, 1) else None
    text = str(value).strip()
    if not text:
        return None
    if _NO.search(text):
        return False
    if _YES.search(text):
        return True
    return None


def operator_in_text(text: Any) -> str | None:
    """The one operator named inside `text` (a hall or company name); None when none or several are named."""
    lowered = str(text).strip().lower()
    found = set()
    rest = lowered
    for word, code in _OPERATOR_WORDS:
        if word in rest:
            found.add(code)
            rest = rest.replace(word, " ")
    return found.pop() if len(found) == 1 else None
