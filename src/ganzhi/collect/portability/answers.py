"""Read an operator's free-text eligibility answer (the SMS reply to CXXZ, a hall's written reply) into
what it decides: eligible or not, the reason codes it gives, and the reason clauses ganzhi cannot map.

Operators write reasons in their own words ("存在欠费，请缴清后再办理", "在网时长不足120天",
"您有未到期的营销活动"). Each reason code has patterns for what it means and patterns for the same
words negated or cleared ("无欠费", "合约已到期", "已实名"): a clause counts for a code when a meaning
pattern matches and no clearing pattern does, so an answer listing what is fine is not read as reasons.
A clause of a refusal that looks like a reason but maps to no code is returned in `unread`, so the check
can say it cannot tell rather than guess. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ganzhi.evidence.portability import ReasonCode, order_reasons

#: Longest answer read (a reply is a few sentences; the rest is kept out of the evidence).
MAX_ANSWER_CHARS = 2000

_CLAUSES = re.compile(r"[。；;，,！!？?\n]|(?:^|\s)(?:\d+[.、．)]|[（(]\d+[)）]|[①②③④⑤⑥])")

_REASONS: tuple[tuple[ReasonCode, re.Pattern[str], re.Pattern[str] | None], ...] = (
    (
        ReasonCode.NOT_REAL_NAME,
        re.compile(
            r"未实名|非实名|实名(?:制)?(?:登记)?(?:信息)?(?:不全|不完整|不一致|有误|异常|未登记|不符)|"
            r"未(?:进行|完成|办理)?(?:实名|身份)(?:信息)?登记|补登记|(?:补全|完善)(?:实名|身份)|证件(?:信息)?(?:不符|不一致|过期|有误)|"
            r"非本人(?:实名)?|不是本人"
        ),
        re.compile(r"已(?:完成|进行|办理)?实名|实名(?:信息)?(?:正常|完整|已登记|无误)"),
    ),
    (
        ReasonCode.ABNORMAL_STATUS,
        re.compile(
            r"停机|挂失|冻结|单停|双停|报停|销户|预销|状态(?:异常|不正常)|非正常(?:使用)?状态|号码(?:处于)?异常"
        ),
        re.compile(r"状态正常|已复机|已恢复|未停机|没有停机|无停机"),
    ),
    (
        ReasonCode.UNPAID_FEES,
        re.compile(
            r"欠费|欠款|未结清|未缴清|未缴纳|未付清|未结算|有未缴|账单未|费用未结|话费未|(?:结清|缴清|缴费|补缴|付清)(?:后|再|方可)|"
            r"需(?:先)?(?:缴纳|缴清|结清|补缴)"
        ),
        re.compile(
            r"(?:无|没有|不存在|未)(?:任何)?(?:欠费|欠款)|(?:已|均已)(?:结清|缴清|付清)|欠费已(?:结清|缴清)|费用已结"
        ),
    ),
    (
        ReasonCode.CONTRACT_LOCK,
        re.compile(
            r"合约|协议期|在网协议|约定在网|承诺在网|捆绑|终端补贴|保底消费|靓号协议|营销活动|优惠活动|促销活动|"
            r"活动未到期|活动期内|最低消费协议"
        ),
        re.compile(
            r"(?:无|没有|不存在|未办理|未参加|不受)(?:任何)?(?:合约|协议|在网协议|营销活动|优惠活动|活动)|"
            r"(?:合约|协议|活动)(?:已|均已)(?:到期|解除|结束|终止)"
        ),
    ),
    (
        ReasonCode.TOO_SOON,
        re.compile(
            r"(?:未满|不足|不满|少于)\s*120|120\s*(?:个)?(?:自然)?[天日]内|(?:在网|入网)(?:时间|时长|天数)?(?:不足|未满|不够)|"
            r"入网未满|新入网|距(?:离)?上次携|上次携(?:号)?转(?:网)?.{0,8}(?:不足|未满)|携转未满"
        ),
        re.compile(r"(?:已满|超过|(?<![未不])满)\s*120|在网(?:时间|时长)(?:已满|满足)"),
    ),
    (
        ReasonCode.NON_PORTABLE_RANGE,
        re.compile(
            r"物联网|卫星|转售|虚拟运营商|虚商|行业卡|数据卡|上网卡|号段(?:不支持|不可|暂不)|不支持携.{0,4}号段"
        ),
        None,
    ),
)

#: Words that negate the reason words after them within the clause, and words that end that scope.
_NEGATOR = re.compile(r"不存在|没有|并无|均无|无任何|未发现|不涉及|无(?=[^法需须])")
_SCOPE_END = re.compile(r"但|却|然而|不过|仍|还")
_NEGATION_REACH = 12

_REFUSED = re.compile(
    r"不(?:满足|符合|具备)|暂不|未满足|无法(?:办理|携|为您)|不能(?:办理|携)|不可(?:办理|携)|不予|不支持携|"
    r"需先|请先|须先|(?:方可|才能)(?:办理|携|申请)|办理失败|未通过|不通过|暂时无法"
)
_ELIGIBLE = re.compile(
    r"满足.{0,10}条件|符合.{0,10}条件|可以(?:办理)?携|可(?:办理)?携(?:号)?转|授权码|携转码|可以办理携号转网"
)
#: Clauses that are greetings, contacts or the refusal phrase itself, never a reason.
_BOILERPLATE = re.compile(
    r"尊敬的|您好|如有疑问|咨询|客服|感谢|谢谢|详询|回复|登录|营业厅办理|携带.{0,6}证件|有效期|授权码|"
    r"^.{0,16}(?:不|未)(?:满足|符合|具备).{0,12}(?:条件|资格|要求)$|"
    r"^原因(?:如下|是|为)?[:：]?$|^\d{11,13}$|"
    r"^.{0,4}(?:暂时?)?(?:不|无法|不可|不能)(?:能|可|予)?(?:办理|携出|携转|支持携号转网|办理携号转网)(?:业务)?$"
)
#: Words by which a refusal's clause states a reason (存在…, 因…, 需先…).
_REASONISH = re.compile(r"存在|因|由于|原因|限制|未|不|需|有")


@dataclass(slots=True)
class ReadAnswer:
    """What a free-text answer decides: eligible (None: it does not say), reasons, unmapped reason clauses."""

    eligible: bool | None
    reasons: list[ReasonCode] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)


def _clauses(text: str) -> list[str]:
    return [part.strip(" ：:、") for part in _CLAUSES.split(text) if part and part.strip(" ：:、")]


def _negated(clause: str, start: int) -> bool:
    """Whether a negator governs the words at `start`: "不存在欠费和合约" negates 合约 too, while
    "无欠费，但存在合约" does not (a turn such as 但 ends the negation's scope)."""
    window = clause[max(0, start - _NEGATION_REACH) : start]
    last = None
    for match in _NEGATOR.finditer(window):
        last = match
    if last is None:
        return False
    between = window[last.end() :]
    return not _SCOPE_END.search(between)


def reasons_in(clause: str) -> set[ReasonCode]:
    """The reason codes one clause states, leaving out those it negates or says are cleared."""
    found: set[ReasonCode] = set()
    for code, meaning, cleared in _REASONS:
        if cleared is not None and cleared.search(clause):
            continue
        if any(not _negated(clause, m.start()) for m in meaning.finditer(clause)):
            found.add(code)
    return found


def read_answer(text: str) -> ReadAnswer:
    """Decide what an operator's free-text answer says (see the module docstring)."""
    body = " ".join(text.split())[:MAX_ANSWER_CHARS]
    clauses = _clauses(body)
    reasons: set[ReasonCode] = set()
    unread: list[str] = []
    for clause in clauses:
        found = reasons_in(clause)
        reasons |= found
        if not found and _REASONISH.search(clause) and not _BOILERPLATE.search(clause):
            unread.append(clause[:200])
    refused = bool(_REFUSED.search(body)) or bool(reasons)
    eligible_said = any(_ELIGIBLE.search(c) and not _REFUSED.search(c) for c in clauses)
    if refused:
        return ReadAnswer(False, order_reasons(reasons), [u for u in unread if not _ELIGIBLE.search(u)])
    if eligible_said:
        return ReadAnswer(True)
    return ReadAnswer(None)
