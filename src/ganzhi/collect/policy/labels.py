"""The CAPP-130 label set our sentence classifier predicts: 11 topics, summary-worthiness and risk."""

from __future__ import annotations

TOPICS: tuple[str, ...] = (
    "数据收集",
    "权限获取",
    "共享、委托、转让、公开（披露）",
    "使用",
    "存储方式",
    "安全措施",
    "特殊人群",
    "数据、权限管理",
    "联系方式",
    "隐私政策的授权、修改与变更",
    "停止运营",
)
SUMMARY_LABEL = "摘要"
RISK_LABEL = "潜在风险"
ALL_LABELS: tuple[str, ...] = (*TOPICS, SUMMARY_LABEL, RISK_LABEL)
MAX_LABEL_CHARS = 15  # CAPP-130 noise: ~100 "labels" are sentences; real label names are shorter

TOPIC_EN: dict[str, str] = {
    "数据收集": "First-party collection",
    "权限获取": "Permission acquisition",
    "共享、委托、转让、公开（披露）": "Third-party sharing/disclosure",
    "使用": "Usage",
    "存储方式": "Retention",
    "安全措施": "Security",
    "特殊人群": "Special audiences",
    "数据、权限管理": "User control",
    "联系方式": "Contact",
    "隐私政策的授权、修改与变更": "Policy change",
    "停止运营": "Cessation of operations",
}


def clean_labels(raw: object) -> list[str]:
    """Known label names from a CAPP-130 `label` field; sentence-length noise and unknown names are dropped."""
    if not isinstance(raw, list):
        return []
    return [x for x in raw if isinstance(x, str) and len(x) <= MAX_LABEL_CHARS and x in ALL_LABELS]
