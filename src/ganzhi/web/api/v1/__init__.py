"""REST API v1: one router per resource, mounted under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from ganzhi.web.api.v1 import access, auth, catalog, findings, store, supervision, uploads

router = APIRouter()
for _module in (auth, access, catalog, findings, supervision, uploads, store):
    router.include_router(_module.router)
