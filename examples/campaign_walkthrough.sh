#!/usr/bin/env bash
# A full 524 supervision campaign from the command line, on fictional demo data:
# assign → inspect → rank → interview → publish (通报, approved by a second person, hash chain)
# → rectify and re-inspect → look back (回头看) → publish the look-back 通报 → complaints.
#
#   bash examples/campaign_walkthrough.sh            # uses a throwaway GANZHI_HOME
#   GANZHI_HOME=~/.ganzhi bash examples/campaign_walkthrough.sh
#
# Every name, code and app below is invented (see src/ganzhi/supervision/data/demo_enterprises.yaml).
set -euo pipefail

GANZHI=${GANZHI:-ganzhi}
PYTHON=${PYTHON:-python}
export GANZHI_HOME=${GANZHI_HOME:-$(mktemp -d)}
WORK=${WORK:-$GANZHI_HOME/walkthrough}
mkdir -p "$WORK"
HERE=$(cd "$(dirname "$0")" && pwd)
run_id() { "$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["meta"]["run_id"])' "$1"; }
step() { printf '\n== %s ==\n' "$*"; }

step "1. 企业与任务分配 register enterprises, create the campaign (T6/T7 for the first-batch list)"
$GANZHI enterprise import --demo
$GANZHI campaign create c524 --name "2022年感知提升行动（演示）" --starts 2022-01-01 --ends 2022-12-31 \
    --task T6 --task T7 --key-list first-batch-39
$GANZHI campaign add-round c524 --name 第一轮检查 --starts 2022-02-10

step "2. 检查 inspect the apps' personal-information lists"
$GANZHI demo campaign-evidence inspection "$WORK/round1.jsonl"
$GANZHI check run "$WORK/round1.jsonl" --task T6 --task T7 --format json --out "$WORK/round1.json"
RUN1=$(run_id "$WORK/round1.json")
$GANZHI round attach "$RUN1" --campaign c524 --round 1

step "3. 排名 rank the round"
$GANZHI rank --campaign c524 --round 1 --explain demo-video

step "4. 约谈 propose interviews (as of 30 days later, when deadlines have passed), record one, move the ladder"
$GANZHI interview propose --campaign c524 --today "$(date -d '+30 days' +%F)"
$GANZHI interview record demo-video --id iv-1 --held-on "$(date +%F)" --attendee 处长 --attendee 企业代表 \
    --minutes "就个人信息清单缺项约谈企业" --recorded-by 张三 --commitment "补全两个清单|$(date -d '+7 days' +%F)"
$GANZHI ladder advance demo-video --actor 张三 --reason "约谈 iv-1" --interview iv-1

step "5. 社会公示 draft the 通报 (张三), approve it (李四), render it, verify the chain"
$GANZHI publish create pub-2022-01 --created-by 张三 --campaign c524 --with-ranking
$GANZHI publish approve pub-2022-01 --approver 李四 --first-total 21
$GANZHI publish render pub-2022-01 --format html --out "$WORK/pub-2022-01.html"
$GANZHI publish render pub-2022-01 --format xlsx --out "$WORK/pub-2022-01.xlsx"
$GANZHI publish render pub-2022-01 --format csv --list notice --out "$WORK/pub-2022-01.csv"
$GANZHI publish render pub-2022-01 --format json --out "$WORK/pub-2022-01.json"
$GANZHI publish render pub-2022-01 --format pdf --out "$WORK/pub-2022-01.pdf" \
    || echo "PDF skipped: needs weasyprint (extra pdf) and fonts-noto-cjk"
$GANZHI publish verify

step "6. 整改复查 the firms rectify; round 2 re-inspects and closes the issues"
$GANZHI campaign add-round c524 --name 第二轮复查 --starts 2022-03-01
$GANZHI demo campaign-evidence recheck "$WORK/round2.jsonl"
$GANZHI check run "$WORK/round2.jsonl" --task T6 --task T7 --format json --out "$WORK/round2.json"
$GANZHI round attach "$(run_id "$WORK/round2.json")" --campaign c524 --round 2

step "7. 回头看 look back at the fixed issues on new evidence: what failed again is reopened"
$GANZHI demo campaign-evidence lookback "$WORK/lookback.jsonl"
$GANZHI lookback run lb-2022-06 --actor 王五 --evidence "$WORK/lookback.jsonl" --campaign c524
$GANZHI lookback show lb-2022-06 --format xlsx --out "$WORK/lookback.xlsx"

step "8. 回头看通报 publish the look-back list (same format, next batch number) and verify the chain"
$GANZHI publish create pub-2022-02 --kind lookback --created-by 张三 --campaign c524
$GANZHI publish approve pub-2022-02 --approver 李四
$GANZHI publish list
$GANZHI publish verify

step "9. 投诉 import complaints, classify them by task, trends next to the scores"
$GANZHI complaints import "$HERE/complaints-sample.csv"
$GANZHI complaints trends --campaign c524

step "done: outputs in $WORK"
