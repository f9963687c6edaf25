"""Template rendering with the language, the principal and the CSRF token every page needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ganzhi.accounts.users import Principal
from ganzhi.web.deps import browser_session

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parents[1] / "templates"))
LANG_COOKIE = "ganzhi_lang"

#: Interface labels, zh-CN first.
LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "site": "感知 · 524 行动监管平台",
        "login": "登录",
        "logout": "退出",
        "username": "用户名",
        "password": "密码",
        "dashboard": "监管看板",
        "issues": "问题队列",
        "public": "公众服务",
        "publications": "已发布通报",
        "none": "暂无",
        "heatmap": "任务 × 企业 未整改问题",
        "overdue": "逾期问题",
        "runs": "最近检测",
        "state": "状态",
        "task": "任务",
        "subject": "对象",
        "deadline": "整改期限",
        "move": "流转",
        "reason": "理由",
        "submissions": "上架检测提交",
        "verdict": "结论",
        "speedtest": "宽带测速",
        "lang_other": "English",
        "halls": "携号转网营业厅查询",
        "halls_hint": "输入区县名称（如 海淀区）、6位行政区划代码或 纬度,经度",
        "find": "查询",
        "km": "距离（公里）",
        "operator": "运营商",
        "address": "地址",
        "hall": "营业厅",
        "candidates": "匹配到多个地区，请选择",
        "no_halls": "暂无营业厅名录",
        "rankings": "排名",
        "rank": "名次",
        "score": "得分",
        "notice_list": "通报名单",
        "removal_list": "下架名单",
        "workflow": "通报审核",
        "drafts": "待审核草稿",
        "approve": "审核发布",
        "draft_new": "起草通报",
        "created_by": "起草人",
        "approved_by": "审核人",
        "portal": "企业门户",
        "self_check": "自检：上传 APK",
        "upload": "上传",
        "rectify": "提交整改材料",
        "note": "说明",
        "findings": "检测发现",
        "evidence": "证据",
        "call_path": "调用链",
        "sentences": "政策原文",
        "diagnose": "网速诊断",
        "contract": "签约速率 Mbit/s",
        "connection": "连接方式",
        "speedtest_open": "打开测速页面",
        "interviews": "约谈记录",
        "record_interview": "记录约谈",
        "enterprise": "企业",
        "held_on": "约谈日期",
        "attendees": "参会人员",
        "minutes": "纪要",
        "commitments": "整改承诺",
        "recorded_by": "记录人",
        "lookbacks": "回头看",
        "time": "时间",
    },
    "en": {
        "site": "ganzhi · 524 action supervision",
        "login": "Sign in",
        "logout": "Sign out",
        "username": "User name",
        "password": "Password",
        "dashboard": "Dashboard",
        "issues": "Issue queue",
        "public": "Public portal",
        "publications": "Published notices",
        "none": "None",
        "heatmap": "Open issues by task × enterprise",
        "overdue": "Overdue issues",
        "runs": "Latest runs",
        "state": "State",
        "task": "Task",
        "subject": "Subject",
        "deadline": "Deadline",
        "move": "Move",
        "reason": "Reason",
        "submissions": "Store submissions",
        "verdict": "Verdict",
        "speedtest": "Speed test",
        "lang_other": "中文",
        "halls": "Port-out hall finder",
        "halls_hint": "District name (e.g. 海淀区), 6-digit division code, or lat,lon",
        "find": "Find",
        "km": "Distance (km)",
        "operator": "Operator",
        "address": "Address",
        "hall": "Hall",
        "candidates": "Several places match; pick one",
        "no_halls": "No hall registry loaded",
        "rankings": "Rankings",
        "rank": "Rank",
        "score": "Score",
        "notice_list": "Notice list",
        "removal_list": "Removal list",
        "workflow": "Publication workflow",
        "drafts": "Drafts awaiting approval",
        "approve": "Approve and publish",
        "draft_new": "Draft a notice",
        "created_by": "Drafted by",
        "approved_by": "Approved by",
        "portal": "Enterprise portal",
        "self_check": "Self-check: upload an APK",
        "upload": "Upload",
        "rectify": "Submit rectification evidence",
        "note": "Note",
        "findings": "Findings",
        "evidence": "Evidence",
        "call_path": "Call path",
        "sentences": "Policy text",
        "diagnose": "Speed diagnosis",
        "contract": "Contracted Mbit/s",
        "connection": "Connection",
        "speedtest_open": "Open the speed test",
        "interviews": "Interviews",
        "record_interview": "Record an interview",
        "enterprise": "Enterprise",
        "held_on": "Held on",
        "attendees": "Attendees",
        "minutes": "Minutes",
        "commitments": "Commitments",
        "recorded_by": "Recorded by",
        "lookbacks": "Look-backs",
        "time": "Time",
    },
}


def language(request: Request) -> str:
    """`?lang=` wins, then the language cookie, then Chinese."""
    wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return wanted if wanted in LABELS else "zh"


def page(
    request: Request, template: str, principal: Principal, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    lang = language(request)
    browser = browser_session(request)
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "t": LABELS[lang],
            "principal": principal,
            "csrf": browser.csrf if browser else "",
            **context,
        },
        status_code=status_code,
    )
    if request.query_params.get("lang") in LABELS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
