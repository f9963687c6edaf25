"""Importable alias so forged check modules can register the test evidence kind."""

from __future__ import annotations

from fake_world import Widget

__all__ = ["Widget"]
