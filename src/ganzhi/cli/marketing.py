"""`ganzhi marketing check`: 5G sales-flow transcripts and ad texts against the 四个提醒 / 四条红线 rules.

Each text file becomes `marketing_text` evidence (sentences and every rule match); the checks
`t2_5g_reminders` and `t2_5g_marketing_text` run through the engine. The table lists each match —
which sentence, which rule, which cue, and the negation that cancelled it — so every verdict can be
read back to its words. Exit codes: 0 checked; 1 nothing readable; with `--fail-on-fail`, 1 on FAIL.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ganzhi.cli._common import (
    OUTPUT_HELP,
    OutputFormat,
    check_format,
    console,
    err_console,
    fail,
    print_problems,
    progress_bar,
)
from ganzhi.cli._report import emit_results
from ganzhi.evidence.base import Evidence
from ganzhi.i18n import Lang

if TYPE_CHECKING:
    from rich.table import Table

app = typer.Typer(help="营销话术检查（5G）/ 5G marketing texts (T2).", no_args_is_help=True,
                  pretty_exceptions_enable=False)  # fmt: skip

TEXT_SUFFIXES = (".txt", ".md", ".text")
MAX_FILES = 10_000
MAX_FILE_BYTES = 2 * 1024 * 1024


class Material(StrEnum):
    """What a text is: an ad or a sales-flow transcript."""

    ad = "ad"
    transcript = "transcript"


@app.callback()
def marketing() -> None:
    """营销话术检查（5G）/ 5G marketing texts (T2)."""


def text_files(path: Path) -> tuple[list[Path], list[str]]:
    """The text files behind `path` (a file, or a directory read non-recursively) and the problems met."""
    if path.is_file():
        return [path], []
    if not path.is_dir():
        return [], [f"{path}: not found (expected a text file or a directory of .txt files)"]
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
    problems = [] if files else [f"{path}: no {'/'.join(TEXT_SUFFIXES)} files in the directory"]
    if len(files) > MAX_FILES:
        problems.append(f"{path}: {len(files)} text files; only the first {MAX_FILES} are read")
    return files[:MAX_FILES], problems


def read_text(path: Path) -> str:
    """UTF-8 text (with or without BOM); ValueError naming the file when it is too large or not UTF-8."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(f"{path}: {size} bytes; at most {MAX_FILE_BYTES} are read")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: expected UTF-8 text, byte {exc.start} is not") from None


def build_evidence(files: list[Path], material: Material, channel: str | None, contract_plan: bool,
                   from_withdrawn_plan: bool) -> tuple[list[Evidence], list[str]]:  # fmt: skip
    """One `marketing_text` evidence per readable file (subject: the file name); problems for the rest."""
    from ganzhi.collect.marketing.matcher import analyze
    from ganzhi.evidence.base import Subject
    from ganzhi.evidence.marketing import TEXT_SUBJECT_TYPE

    evidence: list[Evidence] = []
    problems: list[str] = []
    for file in files:
        try:
            text = read_text(file)
        except (OSError, ValueError) as exc:
            problems.append(str(exc))
            continue
        if not text.strip():
            problems.append(f"{file}: empty text; skipped")
            continue
        payload = analyze(text, material=material.value, channel=channel, contract_plan=contract_plan,
                          from_withdrawn_plan=from_withdrawn_plan)  # fmt: skip
        subject = Subject(type=TEXT_SUBJECT_TYPE, id=file.name)
        evidence.append(Evidence.of(payload, subject, source=str(file)))
    return evidence, problems


def matches_table(evidence: list[Evidence], lang: Lang) -> Table:
    """Every rule match: file, sentence number and text, rule, cue, and the cancelling negation."""
    from rich.table import Table

    from ganzhi.evidence.marketing import MarketingText

    zh = lang == "zh"
    table = Table(title="命中明细（句子 × 规则）" if zh else "Matches (sentence × rule)", show_lines=True)
    for zh_head, en_head in (("文件", "file"), ("句", "#"), ("句子", "sentence"), ("规则", "rule"),
                             ("命中", "cue"), ("否定", "negated by")):  # fmt: skip
        table.add_column(zh_head if zh else en_head, overflow="fold")
    for item in evidence:
        text = item.payload(MarketingText)
        for match in text.matches:
            table.add_row(item.subject.id, str(match.sentence + 1), match.text, match.rule_id, match.cue,
                          match.negated_by or "-")  # fmt: skip
    return table


@app.command("check")
def check(
    source: Annotated[Path, typer.Argument(help="文本文件或目录 / a text file or a directory of .txt files")],
    material: Annotated[
        Material, typer.Option("--material", "-m", help="材料类型 / material: ad | transcript")
    ] = Material.transcript,
    channel: Annotated[str | None, typer.Option(help="渠道 / channel, e.g. 营业厅, 外呼")] = None,
    contract_plan: Annotated[bool, typer.Option("--contract-plan", help="合约类套餐 / a contract plan")] = False,
    from_withdrawn_plan: Annotated[
        bool, typer.Option("--from-withdrawn-plan", help="用户原套餐已下架 / user leaves a withdrawn plan")
    ] = False,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="输出格式 / output format: table | json")
    ] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
    lang: Annotated[str, typer.Option(help="语言 / language: zh or en")] = "zh",
    fail_on_fail: Annotated[bool, typer.Option("--fail-on-fail", help="有FAIL时退出码为1 / exit 1 on FAIL")] = False,
) -> None:
    """检查5G营销话术的四个提醒与四条红线 / check the four reminders and four red lines."""
    from ganzhi.engine.runner import evaluate
    from ganzhi.evidence.marketing import MarketingText

    language: Lang = "en" if lang == "en" else "zh"
    check_format(fmt, (OutputFormat.table, OutputFormat.json), command="marketing check", output=out)
    files, problems = text_files(source)
    with progress_bar("分句匹配 / matching", total=len(files)):
        evidence, read_problems = build_evidence(files, material, channel, contract_plan, from_withdrawn_plan)
    problems += read_problems
    if not evidence:
        print_problems(problems)
        raise fail(f"{source}: no readable text")
    run = evaluate(evidence, tasks=("T2",))  # marketing_text evidence: the T2 text checks
    if fmt is OutputFormat.json:
        texts = {e.subject.id: e.payload(MarketingText).model_dump(mode="json") for e in evidence}
        meta = {"run_id": run.run_id, "source": str(source), "material": material.value, "texts": texts,
                "problems": problems}  # fmt: skip
        emit_results(run.results, OutputFormat.json, out, lang=language, meta=meta)
    else:
        console.print(matches_table(evidence, language))
        emit_results(run.results, OutputFormat.table, None, lang=language)
    print_problems(problems)
    counts = run.counts()
    err_console.print(
        f"5G营销：{len(evidence)}份文本；结果 PASS {counts['PASS']} / FAIL {counts['FAIL']} / "
        f"WARN {counts['WARN']} / MANUAL {counts['MANUAL']}", markup=False, highlight=False,
    )  # fmt: skip
    if fail_on_fail and counts["FAIL"]:
        raise typer.Exit(1)
