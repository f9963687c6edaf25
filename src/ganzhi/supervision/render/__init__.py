"""Renderers of published snapshots: HTML, PDF, XLSX, CSV and JSON read the same `Publication`."""

from __future__ import annotations
