"""The `ganzhi` command line: one Typer app, one sub-command group per module of this package.

Groups load lazily: `ganzhi --help` lists every group from the table below without importing any group
module, and a group's module is imported only when that group runs or shows its help. Start-up stays
short for every command, and a command never pays for (or needs) the libraries of the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
from typer.core import TyperGroup

#: (module under ganzhi.cli, command group name, one-line help: Chinese first, then English, "中文 / english").
#: Each module exposes `app: typer.Typer`; the help here is what `ganzhi --help` shows.
GROUPS: tuple[tuple[str, str, str], ...] = (
    ("catalog", "catalog", "524目录：任务 → 要求 → 参数 / the 524 catalog: tasks → requirements → params."),
    ("db", "db", "数据库结构迁移 / database schema migrations."),
    (
        "check",
        "check",
        "运行检查；列出检查项、运行记录与结果 / run checks over evidence; list checks, runs and results.",
    ),
    ("issues", "issues", "问题跟踪与生命周期 / tracked issues and their lifecycle."),
    ("portability", "portability", "携号转网资格查询 / number portability (T9) eligibility."),
    ("demo", "demo", "在配置的数据库上运行演示活动 / run the demo campaign on the configured store."),
    ("halls", "halls", "携出营业厅 / port-out halls (T9)."),
    ("hotline", "hotline", "客服热线 / customer-service hotlines (T10)."),
    ("crossregion", "crossregion", "跨区域通办 / cross-region handling (T8)."),
    ("speedtest", "speedtest", "宽带测速 / broadband speed test (T2)."),
    ("netdisk", "netdisk", "网盘速率与明示 / cloud-drive probes (T5)."),
    ("policy", "policy", "隐私政策：句子分类、分析、摘要 / privacy policies: classify, analyze, summarise."),
    ("lists", "lists", "双清单：个人信息收集清单与第三方共享清单 / the two personal-information lists."),
    ("tariff", "tariff", "资费目录检查 / tariff catalogue checks (T1)."),
    ("usage", "usage", "流量使用提醒稽核 / usage-reminder audit and synthetic data (T1)."),
    ("broadband", "broadband", "宽带合同与测速检查 / broadband contracts and speed (T2)."),
    ("marketing", "marketing", "营销话术检查（5G）/ 5G marketing texts (T2)."),
    (
        "apps",
        "app",
        "应用审计：扫描、隐私政策、双清单与全部T3/T6/T7/T11检查 / app audit: scan, policy, lists and all checks.",
    ),
    ("scan", "scan", "扫描：APK 静态分析（T11、T3）与动态轨迹 / scanning: APK static analysis (T11, T3) and traces."),
    ("campaign", "campaign", "专项行动与轮次 / supervision campaigns and their rounds."),
    ("enterprise", "enterprise", "监管企业 / enterprises under supervision."),
    ("round", "round", "检查轮次 / inspection rounds of a campaign."),
    ("rank", "rank", "得分与排名 / scores and rankings of a campaign."),
    ("interview", "interview", "约谈：建议、记录、列表 / interviews: proposals, records, list."),
    ("ladder", "ladder", "处置阶梯：约谈提醒 → 通报批评 → 行政处罚 → 不良名单 / enforcement ladder."),
    ("users", "users", "平台用户与 API 令牌 / web platform users and API tokens."),
    ("serve", "serve", "启动 Web 平台 / run the web platform."),
    (
        "publish",
        "publish",
        "社会公示：通报、下架、排名；哈希链 / published snapshots: notices, removals, rankings; hash chain.",
    ),
    ("lookback", "lookback", "回头看：复测已整改问题 / look-back: re-test fixed or verified issues."),
    (
        "complaints",
        "complaints",
        "投诉：导入、按任务分类、趋势、关联得分 / complaints: import, classify by task, trends, link to scores.",
    ),
    ("ui", "ui", "界面证据（开屏弹窗、权限说明）/ UI evidence for T4 and T3."),
    ("capture", "capture", "采集界面证据 / capture UI evidence from a device."),
    (
        "crawl",
        "crawl",
        "采集：按采集规格抓取运营商、应用和应用市场公开发布的内容 / live collection of published pages by spec.",
    ),
)

_BY_NAME: dict[str, tuple[str, str]] = {name: (module, help_) for module, name, help_ in GROUPS}


def load_group(name: str) -> typer.core.TyperGroup | typer.core.TyperCommand | Any:
    """The click command of group `name`, importing its module now."""
    module = importlib.import_module(f"ganzhi.cli.{_BY_NAME[name][0]}")
    command = typer.main.get_command(module.app)
    command.name = name
    return command


class _LazyCommands(MutableMapping[str, Any]):
    """The group's sub-commands: every name of the table is listed, a module is imported on first lookup."""

    def __init__(self) -> None:
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded:
            if name not in _BY_NAME:
                raise KeyError(name)
            self._loaded[name] = load_group(name)
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        yield from _BY_NAME
        yield from (name for name in self._loaded if name not in _BY_NAME)

    def __len__(self) -> int:
        return len(set(_BY_NAME) | set(self._loaded))


class LazyGroup(TyperGroup):
    """A Typer group whose sub-groups come from `GROUPS`; listing them in help imports nothing."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _LazyCommands()
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self._listing and cmd_name in _BY_NAME:
            help_ = _BY_NAME[cmd_name][1]
            return typer.core.TyperCommand(name=cmd_name, help=help_, short_help=help_)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="ganzhi",
    cls=LazyGroup,
    help="感知（ganzhi）：工信部524行动的检查与监管 / ganzhi: inspection and supervision for MIIT's 524 action.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """感知（ganzhi）：工信部524行动的检查与监管 / ganzhi: inspection and supervision for MIIT's 524 action."""


def main() -> None:
    """Console-script entry point."""
    app()
