"""The `ganzhi` command line: one Typer app, one sub-command group per module of this package."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="ganzhi",
    help="ganzhi (感知): inspection and supervision for MIIT's 524 action.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

#: (module under ganzhi.cli, command group name); each module exposes `app: typer.Typer`.
_GROUPS: tuple[tuple[str, str], ...] = (
    ("catalog", "catalog"),
    ("db", "db"),
    ("check", "check"),
    ("issues", "issues"),
    ("portability", "portability"),
    ("demo", "demo"),
    ("halls", "halls"),
    ("hotline", "hotline"),
    ("crossregion", "crossregion"),
    ("speedtest", "speedtest"),
    ("netdisk", "netdisk"),
    ("policy", "policy"),
    ("lists", "lists"),
    ("tariff", "tariff"),
    ("usage", "usage"),
    ("broadband", "broadband"),
    ("marketing", "marketing"),
    ("scan", "scan"),
    ("campaign", "campaign"),
    ("enterprise", "enterprise"),
    ("round", "round"),
    ("rank", "rank"),
    ("interview", "interview"),
    ("ladder", "ladder"),
    ("users", "users"),
    ("serve", "serve"),
    ("publish", "publish"), ("lookback", "lookback"), ("complaints", "complaints"),
    ("ui", "ui"), ("capture", "capture"),
)

for _module, _name in _GROUPS:
    _sub = importlib.import_module(f"ganzhi.cli.{_module}")
    app.add_typer(_sub.app, name=_name)


def main() -> None:
    """Console-script entry point."""
    app()
