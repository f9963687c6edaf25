"""`paused_gc`: the analysis runs without the cyclic collector and leaves it as it found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from ganzhi.collect.apk.analyze import paused_gc


@pytest.fixture
def restore_gc() -> Iterator[None]:
    was = gc.isenabled()
    yield None
    if was:
        gc.enable()
    else:
        gc.disable()


def test_pause_disables_then_restores_enabled(restore_gc: None) -> None:
    gc.enable()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():  # nested: the inner exit must not re-enable early
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_pause_keeps_a_disabled_collector_disabled(restore_gc: None) -> None:
    gc.disable()
    with paused_gc():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_pause_restores_after_an_error(restore_gc: None) -> None:
    gc.enable()
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("analysis failed")
    assert gc.isenabled()
