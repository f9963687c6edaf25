"""`ganzhi serve --demo` says, Chinese first, that the printed demo passwords must be changed at first sign-in."""

from __future__ import annotations

from typing import Any

import pytest

from ganzhi.cli import serve
from ganzhi.cli._common import console
from ganzhi.demo import platform
from ganzhi.demo.users import DemoLogin


def _printed(monkeypatch: pytest.MonkeyPatch, logins: list[DemoLogin]) -> str:
    def fake_load(*args: Any, **kwargs: Any) -> platform.DemoPlatform:
        return platform.DemoPlatform(logins=logins, loaded=bool(logins), halls=0, tasks=())

    monkeypatch.setattr(platform, "load_demo", fake_load)
    with console.capture() as captured:
        serve._load_demo()
    return "".join(captured.get().split())


def test_demo_passwords_come_with_the_forced_change_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _printed(monkeypatch, [DemoLogin("admin", "first-pass-123", "regulator_admin", None)])
    assert "demologin:admin/first-pass-123" in text
    notice = text.split("first-pass-123", 1)[1]
    assert notice.index("首次登录时须修改密码") < notice.index("mustchangeitspassword")
    assert "403" in notice


def test_existing_demo_users_are_pointed_at_reset_password(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _printed(monkeypatch, [])
    assert text.startswith("演示用户已存在") and "usersreset-password" in text
