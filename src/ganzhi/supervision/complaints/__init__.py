"""Complaints (投诉): a synthetic labelled set, a task classifier, intake, and trends per enterprise and task."""

from __future__ import annotations
