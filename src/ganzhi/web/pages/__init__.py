"""Server-rendered pages (Jinja2 + htmx, zh-CN first with an English toggle).

Pages read through the same `Scope` functions as the API, so a page can never show more than the API
would. Jinja2 autoescaping is on for every template: app names, policy text and list cells that an
APK or a user controls are escaped wherever they appear.
"""

from __future__ import annotations

from fastapi import APIRouter

from ganzhi.web.pages import (
    crawl,
    enterprise,
    halls,
    oversight,
    portal,
    publications,
    regional,
    registry,
    speedtest,
    submissions,
    workspace,
)

router = APIRouter(include_in_schema=False)
router.include_router(portal.router)
router.include_router(workspace.router)
router.include_router(publications.router)
router.include_router(oversight.router)
router.include_router(enterprise.router)
router.include_router(halls.router)
router.include_router(speedtest.router)
router.include_router(crawl.router)
router.include_router(registry.router)
router.include_router(regional.router)
router.include_router(submissions.router)
