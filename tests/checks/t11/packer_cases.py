"""Builds the irregularity cases of t11_packer_detected from its clean case (run as a script to rewrite them).

Why a script: the cases differ from `clean.pass.json` in a few evidence fields only; building them
keeps every other field identical, and `test_packer_detected.py` checks the files on disk still
equal what this builds.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).resolve().parents[3] / "src/ganzhi/checks/t11/t11_packer_detected/cases"
DUPLICATE = "android.permission.READ_PHONE_STATE"
_FILTER = {"actions": ["android.intent.action.VIEW"], "categories": [], "data": [], "priority": None}


def _component(name: str, exported: bool | None) -> dict[str, Any]:
    return {
        "kind": "activity",
        "name": name,
        "exported": bool(exported),
        "exported_declared": exported,
        "enabled": True,
        "permission": None,
        "process": None,
        "target_activity": None,
        "authorities": [],
        "intent_filters": [copy.deepcopy(_FILTER)],
        "meta_data": {},
    }


def _case(name: str, description: str, expect: list[dict[str, Any]], **data: Any) -> dict[str, Any]:
    case: dict[str, Any] = json.loads((CASES_DIR / "clean.pass.json").read_text(encoding="utf-8"))
    case["description"] = description
    envelope = case["evidence"][0]
    envelope["source"] = f"cases/{name}"
    envelope["data"].update(data)
    case["expect"] = expect
    return case


def build() -> dict[str, dict[str, Any]]:
    """File name → case."""
    duplicate = f"permission {DUPLICATE} is requested more than once"
    blocked = (
        "activity com.example.demo.Share has intent filters but no android:exported with targetSdk 33 ≥ 31 "
        "(Android refuses to install such an APK)"
    )
    return {
        "duplicate_permission.pass.json": _case(
            "duplicate_permission.pass.json",
            "权限重复声明是构建不规范而非篡改 → PASS附提示 / a permission requested twice is a build "
            "irregularity, not tampering → PASS with a note",
            [{"status": "PASS", "data": {"reason": "CLEAN", "irregularities": [duplicate]}}],
            permissions=[{"name": DUPLICATE, "max_sdk": None, "sdk23_only": False}],
            irregularities=[duplicate],
        ),
        "not_installable.pass.json": _case(
            "not_installable.pass.json",
            "targetSdk≥31时intent-filter组件未声明exported → 无法安装，WARN而非FAIL / intent filters without "
            "android:exported at targetSdk ≥ 31: the APK cannot be installed → WARN, never FAIL",
            [
                {"status": "WARN", "data": {"reason": "NOT_INSTALLABLE", "components": ["com.example.demo.Share"]}},
                {"status": "PASS", "data": {"reason": "CLEAN", "irregularities": [blocked]}},
            ],
            components=[_component("com.example.demo.Share", None), _component("com.example.demo.Main", True)],
            irregularities=[blocked],
        ),
        "tampered_with_irregularity.fail.json": _case(
            "tampered_with_irregularity.fail.json",
            "两个<application>是篡改（FAIL）；重复权限仍只是提示 / two <application> elements are tampering (FAIL); "
            "a duplicate permission next to it stays a note",
            [
                {
                    "status": "FAIL",
                    "data": {
                        "reason": "TAMPERED_ARCHIVE",
                        "anomalies": ["2 <application> elements; Android reads only the first"],
                    },
                }
            ],
            anomalies=["2 <application> elements; Android reads only the first"],
            irregularities=[duplicate],
        ),
    }


def render(case: dict[str, Any]) -> str:
    """The file text of a case (the layout of the hand-written cases)."""
    return json.dumps(case, ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    for name, case in build().items():
        (CASES_DIR / name).write_text(render(case), encoding="utf-8")
        print(f"wrote {CASES_DIR / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
