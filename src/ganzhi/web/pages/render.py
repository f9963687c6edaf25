"""Template rendering with the language, the principal and the CSRF token every page needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ganzhi.web.accounts import Principal
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
