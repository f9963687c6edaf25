"""The words operators use in cross-region (T8) matrices, mapped to ganzhi's services, channels and operations.

Operators name the same operation in many ways (新增外省成员, 添加异地成员, 加入外省号码 are all
"添加外省成员"); each rule below reads a cell by meaning: a service word, a channel word, or an operation as
its verb and object. A value no rule reads is returned as None (services, channels) or kept as written
(operations), and the importer reports it as a warning naming the value.
"""

from __future__ import annotations

import re

#: Service words → service code; the first matching rule wins.
SERVICE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"family[_ ]?network|亲情|家庭网|家庭号|亲情号"), "family_network"),
    (re.compile(r"converged|融合|固移|宽带.*(?:套餐|手机)|手机.*宽带|全家享|智慧家庭"), "converged"),
)

#: Channel words → channel code, most specific first (省内异地 before 异地, 归属 before 营业厅).
CHANNEL_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?:hall_other_province|hall_other_city|online|hall_home)$"), ""),
    (re.compile(r"省内(?:异地|跨市|其他城市|外市)|本省(?:异地|其他)|外市|跨市|异地市|同省异地"), "hall_other_city"),
    (re.compile(r"外省|跨省|省外|异省|全国(?:任一|任意|各地)?营业厅|异地省"), "hall_other_province"),
    (
        re.compile(r"app|手机营业厅|网上营业厅|网厅|线上|在线|小程序|公众号|官网|掌上|云厅|客户端", re.IGNORECASE),
        "online",
    ),
    (re.compile(r"归属地?|本地|属地|开户地|本市"), "hall_home"),
)

#: Operations per service: (pattern, canonical name); canonical names are those of the T8 catalog params.
_AWAY = r"(?:外省|异地|跨省|省外|外地)"
OPERATION_RULES: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "family_network": (
        (re.compile(r"成员(?:变更|增删|修改|调整|管理)|(?:变更|修改|调整)成员"), "成员变更"),
        (re.compile(rf"(?:新增|添加|增加|加入|加装|纳入).{{0,4}}{_AWAY}.{{0,4}}(?:成员|号码|副号)"), "添加外省成员"),
        (re.compile(rf"{_AWAY}.{{0,4}}(?:成员|号码).{{0,2}}(?:新增|添加|加入)"), "添加外省成员"),
        (re.compile(rf"(?:删除|移除|退出|剔除|减少).{{0,4}}{_AWAY}.{{0,4}}(?:成员|号码|副号)"), "删除外省成员"),
        (re.compile(rf"{_AWAY}.{{0,4}}(?:成员|号码).{{0,2}}(?:删除|移除|退出)"), "删除外省成员"),
        (re.compile(r"取消|退订|拆除|注销|关闭|解散|退出亲情网"), "取消"),
        (re.compile(r"开通|新装|开户|订购|组建|新办|^办理|亲情网办理|受理"), "开通"),
    ),
    "converged": (
        (re.compile(r"副卡|副号|加卡"), "加副卡"),
        (re.compile(r"移机|迁移|搬迁|改址"), "移机"),
        (re.compile(r"退订|取消|拆机|销户|注销|退网"), "退订"),
        (re.compile(r"变更|更改|修改|升档|降档|改套餐|套餐调整|转套餐"), "变更"),
    ),
}


def service_code(text: str) -> str | None:
    """family_network / converged for a service cell; None when no rule reads it."""
    value = text.strip().lower()
    for pattern, code in SERVICE_RULES:
        if pattern.search(value):
            return code
    return None


def channel_code(text: str) -> str | None:
    """The channel code for a channel cell (外省营业厅, 手机营业厅APP…); None when no rule reads it."""
    value = text.strip()
    for pattern, code in CHANNEL_RULES:
        if pattern.search(value):
            return code or value
    return None


def operation_name(service: str, text: str) -> str | None:
    """The canonical operation (添加外省成员, 移机…) for an operation cell; None when no rule reads it."""
    value = "".join(text.split())
    for pattern, name in OPERATION_RULES.get(service, ()):
        if pattern.search(value):
            return name
    return None
