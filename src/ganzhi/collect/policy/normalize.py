"""Text normalisation for policies: full-width forms to half-width, common traditional characters to simplified.

A small table rather than OpenCC: OpenCC ships only binary wheels, and privacy policies use a narrow
vocabulary, so the characters that matter for matching (資訊→资讯, 個人→个人, 權限→权限...) fit in one table.
Chinese punctuation (，。：；！？（）) is kept full-width because sentence splitting relies on it.
"""

from __future__ import annotations

import re
import unicodedata

_TRAD = (
    "個們來為於與產這訊資權隱私護關係號碼機動電腦話錄導聯絡網絡環應須際與體驗務協議條款讀寫製備儲存處理"
    "傳輸網頁點擊廣告獲取許可證書統計開發運營數據庫終端設備識別帳戶賬單費用戶購買銀卡號碼經營者們時間會員"
    "權益認證錄音視頻圖片攝像頭麥克風聯繫人簡訊簡體繁業務範圍請確認還將進過這樣說明變更紀錄記錄轉讓揭露"
    "公開託實現響應刪除註銷複製優化標準國際區域醫療財務資產僅並從對於檔案線上線電子郵件郵箱門"
)
_SIMP = (
    "个们来为于与产这讯资权隐私护关系号码机动电脑话录导联络网络环应须际与体验务协议条款读写制备储存处理"
    "传输网页点击广告获取许可证书统计开发运营数据库终端设备识别帐户账单费用户购买银卡号码经营者们时间会员"
    "权益认证录音视频图片摄像头麦克风联系人简讯简体繁业务范围请确认还将进过这样说明变更纪录记录转让揭露"
    "公开托实现响应删除注销复制优化标准国际区域医疗财务资产仅并从对于档案线上线电子邮件邮箱门"
)
if len(_TRAD) != len(_SIMP):  # pragma: no cover - guards the table at import time
    raise RuntimeError(f"traditional/simplified tables differ in length: {len(_TRAD)} vs {len(_SIMP)}")
_T2S = {ord(t): s for t, s in zip(_TRAD, _SIMP, strict=True) if t != s}

_KEEP_FULLWIDTH = set("，。：；！？（）【】、《》“”‘’")
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULLWIDTH}
_FULLWIDTH[0x3000] = 0x20  # ideographic space
_FULLWIDTH_CHARS = re.compile("[" + re.escape("".join(chr(c) for c in _FULLWIDTH)) + "]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0]+")


_T2S_CHARS = re.compile("[" + re.escape("".join(chr(c) for c in _T2S)) + "]+")


def to_simplified(text: str) -> str:
    """Map the traditional characters of our table to simplified ones (only the runs that need it)."""
    return _T2S_CHARS.sub(lambda m: m.group(0).translate(_T2S), text)


def normalize_text(text: str) -> str:
    """NFC, full-width ASCII to half-width, traditional to simplified, control and zero-width characters removed."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", _FULLWIDTH_CHARS.sub(lambda m: m.group(0).translate(_FULLWIDTH), text))
    text = to_simplified(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines)
