"""Importable alias so forged check modules can register the test evidence kinds."""

from __future__ import annotations

from fake_world import Gauge, Widget

__all__ = ["Gauge", "Widget"]
