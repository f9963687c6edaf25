"""Roles of the platform's principals: a vocabulary without storage, so the CLI can name them cheaply."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a principal may do; the scoped roles carry an enterprise or store id."""

    REGULATOR_ADMIN = "regulator_admin"
    REGULATOR_INSPECTOR = "regulator_inspector"
    ENTERPRISE = "enterprise"
    APP_STORE = "app_store"
    PUBLIC = "public"


REGULATORS = frozenset({Role.REGULATOR_ADMIN, Role.REGULATOR_INSPECTOR})
SCOPED = frozenset({Role.ENTERPRISE, Role.APP_STORE})
