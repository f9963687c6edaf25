"""Every help text of the command line is bilingual in one order: Chinese first, then English.

The walk starts at the lazy root group of `ganzhi.cli`, so every group in `GROUPS` (and any group added
to it later) is covered: each command's short help and each option's and argument's help must contain
Chinese, and its first Chinese character must come before its first ASCII letter. The options click and
Typer add themselves (`--help`, shell completion) are exempt.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer

from ganzhi.cli import GROUPS, app

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
#: Parameters click and Typer add on their own, with their own English help.
_EXEMPT = frozenset({"help", "install_completion", "show_completion"})


def chinese_first(text: str | None) -> bool:
    """`text` contains Chinese, and its first Chinese character comes before its first ASCII letter."""
    if not text:
        return False
    cjk = _CJK.search(text)
    if cjk is None:
        return False
    latin = _LATIN.search(text)
    return latin is None or cjk.start() < latin.start()


def _subcommands(command: Any, ctx: typer.Context) -> Iterator[tuple[str, Any]]:
    if not hasattr(command, "list_commands"):
        return
    for name in command.list_commands(ctx):
        sub = command.get_command(ctx, name)
        assert sub is not None, f"{ctx.command_path} {name}: listed but not found"
        yield name, sub


def help_problems(command: Any, ctx: typer.Context) -> Iterator[str]:
    """`path: what: text` for every help text under `command` (itself included) that is not Chinese first."""
    path = ctx.command_path
    short = command.get_short_help_str(limit=10_000)
    if not chinese_first(short):
        yield f"{path}: command help: {short!r}"
    for param in command.params:
        if param.name in _EXEMPT or getattr(param, "hidden", False):
            continue
        text = getattr(param, "help", None)
        if not chinese_first(text):
            yield f"{path} {'/'.join(param.opts)}: {param.param_type_name} help: {text!r}"
    for name, sub in _subcommands(command, ctx):
        yield from help_problems(sub, typer.Context(sub, info_name=name, parent=ctx))


def _root() -> tuple[Any, typer.Context]:
    root = typer.main.get_command(app)
    return root, typer.Context(root, info_name="ganzhi")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("输出格式 / output format", True),
        ("524目录：任务 → 要求 → 参数 / the 524 catalog.", True),
        ("营销话术检查（5G）/ 5G marketing texts (T2).", True),
        ("output format", False),
        ("Campaign name (中文).", False),
        ("APK 文件或目录 / APK files", False),
        ("table | json", False),
        ("", False),
        (None, False),
    ],
)
def test_chinese_first(text: str | None, expected: bool) -> None:
    assert chinese_first(text) is expected


def test_root_help_and_group_table_are_chinese_first() -> None:
    root, _ctx = _root()
    assert chinese_first(root.get_short_help_str(limit=10_000)), root.help
    wrong = [f"{name}: {help_!r}" for _module, name, help_ in GROUPS if not chinese_first(help_)]
    assert not wrong, "GROUPS help not Chinese first:\n" + "\n".join(wrong)
    options = [param for param in root.params if param.name not in _EXEMPT]
    assert all(chinese_first(param.help) for param in options), [param.help for param in options]


def test_the_walk_reaches_every_group() -> None:
    """Every registered group is walked (the lazy root lists and loads each one)."""
    root, ctx = _root()
    assert [name for name, _sub in _subcommands(root, ctx)] == [name for _module, name, _help in GROUPS]


@pytest.mark.parametrize("name", [name for _module, name, _help in GROUPS])
def test_group_help_is_chinese_first(name: str) -> None:
    root, ctx = _root()
    group = root.get_command(ctx, name)
    problems = list(help_problems(group, typer.Context(group, info_name=name, parent=ctx)))
    assert not problems, "help text not bilingual Chinese first (中文 / english):\n" + "\n".join(problems)
