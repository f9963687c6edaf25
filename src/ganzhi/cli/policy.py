"""`ganzhi policy …`: classify sentences, analyze a policy, draft a summary, train and score the model.

Commands that import row files (`classify` its JSON Lines, `analyze` its `--lists`) print each file's line
`接受 N 行，拒绝 M 行，警告 K 条 / accepted N, rejected M, warnings K` to stderr.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from ganzhi.cli._common import (
    FORMAT_HELP,
    OUTPUT_HELP,
    OutputFormat,
    check_format,
    console,
    err_console,
    fail,
    needs_extra,
    progress_bar,
    require_extra,
    write_text,
)
from ganzhi.errors import GanzhiError

app = typer.Typer(
    help="隐私政策：句子分类、分析、摘要 / privacy policies: classify, analyze, summarise.", no_args_is_help=True
)
_CAPP = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "policy" / "capp130"
BATCH = 2000


@app.command("classify")
def classify(
    input: Annotated[
        Path,
        typer.Option(
            "--input",
            help='句子文件，按文档顺序 / JSON Lines {id, text} in document order; optional "doc" marks the policy',
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="分类结果文件 / JSON Lines {id, topics, summary, risk}")
    ],
) -> None:
    """标注句子主题、摘要价值与风险 / label each sentence with CAPP-130 topics, summary-worthiness and risk."""
    from ganzhi.cli._counts import print_counts
    from ganzhi.collect.jsonl import read_json_lines
    from ganzhi.collect.policy.classifier import default_classifier

    model = default_classifier()
    ids: list[Any] = []
    texts: list[str] = []
    docs: list[Any] = []
    bad = 0
    for line in read_json_lines(input):
        value = line.value
        if line.error or not isinstance(value, dict) or not isinstance(value.get("text"), str) or "id" not in value:
            bad += 1
            err_console.print(
                f"{escape(line.source)}:{line.line}: " + escape(line.error or 'expected {"id", "text": str}')
            )
            continue
        ids.append(value["id"])
        texts.append(value["text"])
        docs.append(value.get("doc"))
    print_counts(str(input), len(texts), bad, 0)
    output.parent.mkdir(parents=True, exist_ok=True)
    # one call for the whole input: neighbour and section features must not be cut at batch edges
    starts = [i == 0 or docs[i] != docs[i - 1] for i in range(len(docs))]
    labels = model.predict(texts, starts=starts)
    with output.open("w", encoding="utf-8") as handle, progress_bar("classify", len(texts)) as bar:
        for start in range(0, len(texts), BATCH):
            chunk = labels[start : start + BATCH]
            for sid, lab in zip(ids[start : start + BATCH], chunk, strict=True):
                row = {"id": sid, "topics": list(lab.topics), "summary": lab.summary, "risk": lab.risk}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            bar.advance(bar.task_ids[0], len(chunk))
    err_console.print(f"wrote {len(texts)} labels to {output}" + (f"; {bad} bad lines skipped" if bad else ""))
    if bad and not texts:
        raise typer.Exit(1)


@app.command("train")
def train_cmd(
    data: Annotated[Path, typer.Option(help="数据目录（CAPP-130）/ CAPP-130 folder")] = _CAPP,
    out: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="模型文件名前缀（默认随包模型）/ artefact stem (default: the packaged model)"
        ),
    ] = None,
) -> None:
    """训练句子分类器 / train the sentence classifier.

    在政策级训练集上训练，分组交叉验证调参，输出开发集得分 /
    train on the policy-level train split, tune by grouped CV, print dev-split scores.
    """
    from ganzhi.collect.policy.classifier import DEFAULT_MODEL
    from ganzhi.training.policy.train import train

    try:
        train(data.resolve(), out or DEFAULT_MODEL, log=lambda m: err_console.print(escape(m)))
    except GanzhiError as exc:
        raise fail(str(exc)) from None


@app.command("evaluate")
def evaluate_cmd(
    data: Annotated[Path, typer.Option(help="数据目录（CAPP-130）/ CAPP-130 folder")] = _CAPP,
    split: Annotated[str, typer.Option(help="数据划分 / split: train | dev | test")] = "dev",
) -> None:
    """评估随包模型 / score the packaged model on one split and print the figures as JSON."""
    from ganzhi.collect.policy.classifier import default_classifier
    from ganzhi.training.policy.train import evaluate_split

    try:
        scores = evaluate_split(data.resolve(), split, default_classifier())
    except GanzhiError as exc:
        raise fail(str(exc)) from None
    console.print_json(json.dumps({"split": split, **scores.as_dict()}, ensure_ascii=False))


@app.command("ceiling")
def ceiling_cmd(
    data: Annotated[Path, typer.Option(help="数据目录（CAPP-130）/ CAPP-130 folder")] = _CAPP,
    split: Annotated[
        list[str] | None,
        typer.Option(
            help="数据划分（可重复；默认 train 与 dev）/ train | dev | test (repeatable; default train and dev)"
        ),
    ] = None,
) -> None:
    """标注本身能支撑的上限 / what the annotation itself supports.

    同一句子在不同政策中独立标注的一致性，以及完全知道主题时的摘要 F1；不涉及模型 /
    agreement between independent annotations of the same sentence text in different policies, and the summary F1
    of perfect topic knowledge. No model involved.
    """
    from ganzhi.training.policy.ceiling import annotation_ceiling
    from ganzhi.training.policy.corpus import load_split

    splits = split or ["train", "dev"]
    try:
        sentences = [s for name in splits for s in load_split(data.resolve(), name)]
    except GanzhiError as exc:
        raise fail(str(exc)) from None
    figures = annotation_ceiling(sentences).as_dict()
    console.print_json(json.dumps({"splits": splits, **figures}, ensure_ascii=False))


@app.command("analyze")
def analyze_cmd(
    policy: Annotated[str, typer.Argument(help="隐私政策文件或 URL / policy file or URL")],
    summary: Annotated[
        str | None, typer.Option(help="单独的隐私政策摘要（文件或 URL）/ separate summary document (file or URL)")
    ] = None,
    lists: Annotated[
        list[Path] | None, typer.Option("--lists", help="清单文件 / list files (HTML/XLSX/CSV/JSON)")
    ] = None,
    apk_report: Annotated[
        Path | None, typer.Option("--apk-report", help="静态分析证据 / apk_static evidence JSON")
    ] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """对隐私政策运行 T3/T6/T7 检查 / run the T3/T6/T7 checks on a policy (and lists, APK facts).

    显示问题及其所在句子 / shows findings with their sentences.
    """
    from rich.table import Table

    from ganzhi.usecases.policy_report import run_analysis

    check_format(format, (OutputFormat.table, OutputFormat.json), command="policy analyze")
    require_extra("policy")  # the readability check (jieba) and PDF/DOCX/URL inputs
    try:
        report = run_analysis(policy, summary=summary, lists=lists or [], apk_report=apk_report)
    except GanzhiError as exc:
        raise fail(str(exc)) from None
    _print_list_counts(lists or [])
    if format == OutputFormat.json:
        write_text(output, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=escape(f"{report['source']} — {len(report['findings'])} findings"))
    for column in ("check", "status", "message", "evidence"):
        table.add_column(column)
    for item in report["findings"]:
        table.add_row(item["check"], item["status"], escape(item["message"]), escape("; ".join(item["quotes"])[:200]))
    console.print(table)
    for problem in report["problems"]:
        err_console.print(f"[yellow]{escape(problem)}[/yellow]")


def _print_list_counts(paths: list[Path]) -> None:
    """The count line of each list file (read again: the analysis reports its problems, not its counts)."""
    from ganzhi.cli._counts import print_counts
    from ganzhi.collect.lists.parse import parse_list_file, row_counts

    for path in paths:
        try:
            counts = row_counts(parse_list_file(path))
        except GanzhiError:
            counts = (0, 0, 0)  # the analysis already reported why the file cannot be read
        print_counts(str(path), *counts)


@app.command("summarize")
def summarize_cmd(
    policy: Annotated[str, typer.Argument(help="隐私政策文件或 URL / policy file or URL")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
    max_sentences: Annotated[
        int, typer.Option(min=1, max=200, help="摘要最多句数 / most sentences in the summary")
    ] = 25,
) -> None:
    """起草隐私政策摘要 / draft a privacy-policy summary from the summary-worthy sentences.

    供人工审阅的草稿 / a draft for human review.
    """
    from ganzhi.collect.policy.analyze import analyze_document
    from ganzhi.collect.policy.ingest import read_policy
    from ganzhi.collect.policy.summarize import draft_summary

    try:
        with needs_extra("policy"):
            analysis = analyze_document(read_policy(policy))
            text = draft_summary(analysis, max_sentences)
    except GanzhiError as exc:
        raise fail(str(exc)) from None
    write_text(output, text)


@app.command("calibrate")
def calibrate_cmd(data: Annotated[Path, typer.Option(help="数据目录（CAPP-130）/ CAPP-130 folder")] = _CAPP) -> None:
    """真实摘要与专家改写的可读性指标 / readability figures of the real summaries and expert rewrites in CAPP-130.

    以百分位输出 JSON / percentiles, as JSON.
    """
    from ganzhi.training.policy.calibration import calibrate

    try:
        result = calibrate(data.resolve())
    except GanzhiError as exc:
        raise fail(str(exc)) from None
    console.print_json(json.dumps(result, ensure_ascii=False))
