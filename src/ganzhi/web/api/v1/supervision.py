"""Enterprises, campaigns (read; regulators create) and published snapshots (public when approved)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from ganzhi.accounts import scope as scoped
from ganzhi.catalog.schema import EnterpriseType
from ganzhi.errors import StoreError
from ganzhi.store import supervision_repo
from ganzhi.supervision.models import Campaign, Enterprise, SubjectLink
from ganzhi.supervision.publications import Publication
from ganzhi.web import audit
from ganzhi.web.api.v1.invalid import invalid
from ganzhi.web.deps import RegulatorDep, ScopeDep, SignedInDep, client_address

router = APIRouter(tags=["supervision"])


@router.get("/enterprises", response_model=list[Enterprise])
def enterprises(scope: SignedInDep) -> list[Enterprise]:
    return scoped.enterprises(scope)


@router.get("/enterprises/{enterprise_id}", response_model=Enterprise)
def enterprise(enterprise_id: str, scope: SignedInDep) -> Enterprise:
    found = scoped.enterprise(scope, enterprise_id)
    if found is None:
        raise HTTPException(404, f"no enterprise {enterprise_id[:80]!r} visible to this account")
    return found


class EnterpriseIn(BaseModel):
    id: str
    name: str = Field(min_length=1, max_length=200)
    uscc: str
    type: EnterpriseType
    province: str | None = None
    subjects: list[SubjectLink] = Field(default_factory=list)


@router.post("/enterprises", response_model=Enterprise, status_code=201)
def create_enterprise(body: EnterpriseIn, scope: RegulatorDep, request: Request) -> Enterprise:
    """Register an enterprise (regulators only); an existing id or USCC is 409."""
    try:
        new = Enterprise.model_validate(body.model_dump())
    except ValueError as exc:
        raise invalid(("body",), str(exc)) from None
    if supervision_repo.get_enterprise(scope.session, new.id) is not None:
        raise HTTPException(409, f"enterprise {new.id!r} already exists")
    try:
        supervision_repo.upsert_enterprise(scope.session, new)
    except StoreError as exc:
        raise HTTPException(409, str(exc)) from None
    audit.record(
        scope.session,
        scope.principal,
        "enterprise.create",
        f"enterprise:{new.id}",
        {"name": new.name, "uscc": new.uscc},
        client=client_address(request),
    )
    return new


@router.get("/campaigns", response_model=list[Campaign])
def campaigns(scope: SignedInDep) -> list[Campaign]:
    return scoped.campaigns(scope)


@router.get("/campaigns/{campaign_id}", response_model=Campaign)
def campaign(campaign_id: str, scope: SignedInDep) -> Campaign:
    found = scoped.campaign(scope, campaign_id)
    if found is None:
        raise HTTPException(404, f"no campaign {campaign_id[:80]!r} visible to this account")
    return found


class CampaignIn(BaseModel):
    id: str
    name: str = Field(min_length=1, max_length=200)
    starts: dt.date
    ends: dt.date
    tasks: list[str] = Field(min_length=1)
    description: str | None = Field(None, max_length=4000)


@router.post("/campaigns", response_model=Campaign, status_code=201)
def create_campaign(body: CampaignIn, scope: RegulatorDep, request: Request) -> Campaign:
    """Create a campaign (regulators only); an existing id is 409."""
    try:
        new = Campaign(**body.model_dump(), created_at=dt.datetime.now(dt.UTC))
    except ValueError as exc:
        raise invalid(("body",), str(exc)) from None
    try:
        supervision_repo.save_campaign(scope.session, new)
    except StoreError as exc:
        raise HTTPException(409, str(exc)) from None
    detail: dict[str, Any] = {"name": new.name, "tasks": new.tasks}
    audit.record(
        scope.session, scope.principal, "campaign.create", f"campaign:{new.id}", detail, client=client_address(request)
    )
    return new


@router.get("/publications", response_model=list[Publication])
def publications(scope: ScopeDep) -> list[Publication]:
    """Published (approved) snapshots for everyone; regulators also see drafts."""
    return scoped.publications(scope)


@router.get("/publications/{publication_id}", response_model=Publication)
def publication(publication_id: str, scope: ScopeDep) -> Publication:
    found = scoped.publication(scope, publication_id)
    if found is None:
        raise HTTPException(404, f"no published snapshot {publication_id[:80]!r}")
    return found
