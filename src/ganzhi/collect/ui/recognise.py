"""Is this screen a pop-up, interstitial or splash ad? Recognised from the screenshot alone, better with a tree.

One `Observation` per screen gathers what every later step needs, so the screen is searched once: OCR lines
(button-like text), close-icon and AdChoices template matches at a low floor, and the pixel cues of
`screen`. Recognition turns them into named cues — dimmed backdrop + card, full-screen picture with no
status bar, AdChoices / 广告 / Ad / Sponsored marks, skip and countdown labels, store-install buttons,
dismiss words — and a logistic model trained by `ganzhi.training.ui.recognition_train` on the AidUI classes
(grouped cross-validation) weighs them. With a view tree, GKD's splash ids and activity names and the ad
SDK ids decide on their own. A screen that is not recognised says which cues were missing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ganzhi.collect.ui.hierarchy import Hierarchy
from ganzhi.collect.ui.image import RGB
from ganzhi.collect.ui.lexicon import Lexicon, has_countdown
from ganzhi.collect.ui.linear import Classifier, load_model
from ganzhi.collect.ui.ocr import FocusedReader, TextLine, TextReader
from ganzhi.collect.ui.screen import PixelCues, pixel_cues
from ganzhi.collect.ui.templates import ScreenSearch, TemplateBank, TemplateMatch

DATA = Path(__file__).resolve().parent / "data"
POPUP_MODEL_PATH = DATA / "popup_model.json"
#: Template matches are kept from this NCC up; the ranker and the model weigh them, not a hard cut.
OBSERVE_FLOOR = 0.7
#: AdChoices marks are searched at this size only (share of the short side): the mark is drawn 15–20 dp
#: wide, about 0.04 of a phone's width; at the smallest sizes every speckle matched a ▷ (≥ 0.8 on 260 of
#: the 323 AidUI screens), so the smaller sizes cost time and carried no signal.
MARK_SHARES = (0.045,)
#: OCR recognises the lines on the pixel card first, the card grown by this share of the screen on each side (its
#: edges are measured on a 90 px copy, and a dialog's buttons sit on its bottom edge).
FOCUS_GROW = 0.05
#: The detected-line count is capped here (a feed or a keyboard has more; a pop-up far fewer).
MAX_DETECTED = 32
AD_MARK = re.compile(r"^(ad|ads|advert|advertisement|sponsored|promoted|广告|廣告|赞助|推广|ad\W.*|.*\Wad)$", re.I)
INSTALL = re.compile(
    r"\b(install|download|get it|open|play now|learn more|shop now|sign up|try (it )?free|get the app)\b|"
    r"google play|app store|安装|下载|立即|打开|了解更多|查看详情|去看看",
    re.I,
)
SKIP = re.compile(r"\bskip\b|跳过|跳過|关闭广告|close ad", re.I)
OFFER = re.compile(
    r"premium|upgrade|subscribe|subscription|free trial|unlock|remove ads|rate (us|5)|\brate\b|vip|pro version|"
    r"会员|开通|领取|试用|升级|评分",
    re.I,
)
#: Generic dismiss / accept wording of English and Chinese dialogs (written by hand, see the README's caveat).
DISMISS = re.compile(
    r"^(no\b|nope|not\b|later|maybe later|cancel|close|dismiss|skip|continue|取消|关闭|以后再说|暂不)", re.I
)
ACCEPT = re.compile(r"^(yes|ok|okay|allow|accept|agree|sure|rate|buy|subscribe|确定|同意|允许|好的)", re.I)
RATING = re.compile(r"\brat(e|ing)\b|stars?\b|enjoy|love (it|this)|feedback|评分|好评|喜欢", re.I)
DIALOG = re.compile(r"^(ok|okay|yes|no|allow|deny|continue|not now|later|cancel|确定|取消|允许|拒绝)$", re.I)
#: The cues named to a user: feature → (中文, English), shown as present or missing.
CUE_NAMES: dict[str, tuple[str, str]] = {
    "dim_backdrop_card": ("暗色遮罩上的前景卡片", "a foreground card over a dimmed backdrop"),
    "fullscreen_picture": ("无状态栏的整屏图片/视频", "a full-screen picture or video without status bar"),
    "adchoices": ("AdChoices广告标记", "an AdChoices mark"),
    "ad_mark": ("“广告/Ad/Sponsored”标识", "an 广告/Ad/Sponsored label"),
    "skip_label": ("跳过/倒计时标签", "a skip or countdown label"),
    "install_button": ("安装/下载按钮", "a store-install button"),
    "dismiss_text": ("关闭/不再提示类文字按钮", "a dismiss text button"),
    "close_icon": ("关闭图标", "a close icon"),
    "offer_text": ("开通会员/评分等推销文字", "an upsell or rating prompt"),
}
TREE_AD_ID = re.compile(
    r"splash|ad_container|adcontainer|ksad|tt_splash|hiad|gdt_|ad_view|adview|interstitial|ad_skip|adsfl", re.I
)
TREE_AD_ACTIVITY = re.compile(
    r"Splash|Advert|ADActivity|AdActivity|PortraitAD|LandscapeAD|Stub_Standard|openadsdk|ksad|hiad|gdt|Interstitial",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Observation:
    """What one screenshot shows, read once: text lines, icon and mark matches, pixel cues, and how many
    button-like text lines the OCR detected (recognised or not; 0 when unknown)."""

    width: int
    height: int
    lines: tuple[TextLine, ...]
    icons: tuple[TemplateMatch, ...]
    adchoices: float
    pixels: PixelCues
    detected: int = 0


def focus_of(card: tuple[int, int, int, int] | None, width: int, height: int) -> tuple[int, int, int, int] | None:
    """The region OCR reads first: the pixel card grown by FOCUS_GROW (None without a card)."""
    if card is None:
        return None
    dx, dy = round(FOCUS_GROW * width), round(FOCUS_GROW * height)
    return (max(0, card[0] - dx), max(0, card[1] - dy), min(width, card[2] + dx), min(height, card[3] + dy))


def observe(rgb: RGB, bank: TemplateBank, reader: TextReader | None, marks: TemplateBank | None) -> Observation:
    """Search the screenshot once: close-icon templates (≥ OBSERVE_FLOOR), AdChoices marks (at MARK_SHARES, on the
    same prepared screen), pixels, then OCR lines (those on the pixel card first, when the reader can)."""
    search = ScreenSearch(rgb)
    icons = tuple(search.match(bank, threshold=OBSERVE_FLOOR))
    mark = 0.0
    if marks is not None and marks.templates:
        found = search.match(marks, threshold=OBSERVE_FLOOR, shares=MARK_SHARES)
        mark = max((m.score for m in found), default=0.0)
    pixels = pixel_cues(rgb, search.grey)
    height, width = rgb.shape[:2]
    lines: tuple[TextLine, ...] = ()
    detected = 0
    if isinstance(reader, FocusedReader):
        read, detected = reader.read_focused(rgb, focus_of(pixels.card, width, height))
        lines = tuple(read)
    elif reader is not None:
        lines = tuple(reader.read(rgb))
    return Observation(width, height, lines, icons, mark, pixels, detected)


def text_cues(lines: Sequence[TextLine], lexicon: Lexicon) -> dict[str, float]:
    """Counts of the telling words among the read lines (0/1 flags and capped counts)."""
    ad = skip = install = offer = dismiss = dialog = countdown = rating = 0
    for line in lines:
        text = line.text.strip()
        if AD_MARK.match(text) or "sponsored" in text.lower() or "广告" in text:
            ad += 1
        if SKIP.search(text):
            skip += 1
            countdown += has_countdown(text)
        if INSTALL.search(text):
            install += 1
        if OFFER.search(text):
            offer += 1
        if DIALOG.match(text):
            dialog += 1
        if RATING.search(text):
            rating += 1
        if lexicon.match_text(text) is not None or DISMISS.match(text):
            dismiss += 1
    return {
        "ad_mark": float(ad > 0),
        "skip_label": float(skip > 0),
        "countdown_label": float(countdown > 0),
        "install_button": float(install > 0),
        "offer_text": float(offer > 0),
        "dialog_words": min(2.0, float(dialog)),
        "dismiss_text": float(dismiss > 0),
        "text_lines": min(16.0, float(len(lines))) / 16.0,
        "rating_prompt": float(rating > 0),
        "button_pair": float(_button_pair(lines)),
    }


def _button_pair(lines: Sequence[TextLine]) -> bool:
    """Two short lines side by side in the lower half (a dialog's dismiss/accept row)."""
    low = [line for line in lines if len(line.text) <= 16]
    for position, first in enumerate(low):
        for second in low[position + 1 :]:
            middle_a, middle_b = (first.bounds[1] + first.bounds[3]) / 2, (second.bounds[1] + second.bounds[3]) / 2
            height = max(1, first.bounds[3] - first.bounds[1])
            apart = first.bounds[2] <= second.bounds[0] or second.bounds[2] <= first.bounds[0]
            if abs(middle_a - middle_b) <= height and apart:
                return True
    return False


def features(observation: Observation, lexicon: Lexicon) -> dict[str, float]:
    """The named features the pop-up model reads."""
    values = dict(observation.pixels.values)
    values.update(text_cues(observation.lines, lexicon))
    best_icon = max((m.score for m in observation.icons), default=0.0)
    values["close_icon"] = best_icon
    values["close_icon_corner"] = max(
        (m.score for m in observation.icons if _cornered(m.bounds, observation)), default=0.0
    )
    values["adchoices"] = observation.adchoices
    # How much text the screen carries, whatever the recognition budget let through (`text_lines` saturates at it).
    detected = max(observation.detected, len(observation.lines))
    values["detected_lines"] = min(MAX_DETECTED, detected) / MAX_DETECTED
    values["fullscreen_picture"] = float(
        values["photo_share"] > 0.35 and values["status_bar_step"] < 0.15 and values["status_bar_flat"] < 0.5
    )
    return values


def _cornered(bounds: tuple[int, int, int, int], observation: Observation) -> bool:
    """An icon in a corner of the screen or of the card (where close × sit)."""
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    boxes = [(0, 0, observation.width, observation.height)]
    if observation.pixels.card is not None:
        boxes.append(observation.pixels.card)
    for left, top, right, bottom in boxes:
        near_x = min(abs(cx - left), abs(cx - right)) <= 0.15 * observation.width
        near_y = min(abs(cy - top), abs(cy - bottom)) <= 0.12 * observation.height
        if near_x and near_y:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Recognition:
    """The verdict on one screen: ad or pop-up or not, how sure, and why."""

    is_ad: bool
    probability: float
    kind: str
    source: str
    present: tuple[str, ...]
    missing: tuple[str, ...]
    card: tuple[int, int, int, int] | None = None
    contributions: Mapping[str, float] = field(default_factory=dict)

    def reason(self, lang: str = "zh") -> str:
        """Which cues were seen, or which were missing (for a screen that was not recognised)."""
        pick = 0 if lang == "zh" else 1
        names = [CUE_NAMES[c][pick] for c in (self.present if self.is_ad else self.missing) if c in CUE_NAMES]
        if self.is_ad:
            head = "识别为弹窗/广告，依据：" if pick == 0 else "recognised as a pop-up/ad from: "
        else:
            head = "未识别为弹窗/广告，缺少：" if pick == 0 else "not recognised as a pop-up/ad; missing: "
        return head + ("、" if pick == 0 else ", ").join(names)

    def as_json(self) -> dict[str, object]:
        return {
            "is_ad": self.is_ad,
            "probability": round(self.probability, 4),
            "kind": self.kind,
            "source": self.source,
            "present": list(self.present),
            "missing": list(self.missing),
            "card": list(self.card) if self.card else None,
        }


PRESENT_AT = {"close_icon": 0.85, "adchoices": 0.8}


def _present(values: Mapping[str, float]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    present = tuple(c for c in CUE_NAMES if values.get(c, 0.0) >= PRESENT_AT.get(c, 0.5))
    return present, tuple(c for c in CUE_NAMES if c not in present)


def tree_cues(hierarchy: Hierarchy | None, activity: str, splash: SplashCues) -> list[str]:
    """View-tree cues that decide alone: an ad SDK id, a GKD splash id, an ad or GKD splash activity."""
    found: list[str] = []
    simple = activity.rsplit(".", 1)[-1] if activity else ""
    if simple and (TREE_AD_ACTIVITY.search(simple) or simple in splash.activities):
        found.append(f"activity:{simple}")
    if hierarchy is not None:
        for node in hierarchy.nodes:
            if not node.vid:
                continue
            suffix = node.vid.rsplit("/", 1)[-1]
            if suffix in splash.ids or TREE_AD_ID.search(suffix):
                found.append(f"id:{suffix}")
                break
    return found


@dataclass(frozen=True, slots=True)
class SplashCues:
    """GKD's splash-ad selector ids and activity names (derived in training from the MIT rule table)."""

    ids: frozenset[str] = frozenset()
    activities: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Recogniser:
    """The shipped pop-up model and GKD splash cues; build once."""

    model: Classifier
    splash: SplashCues

    def recognise(
        self,
        observation: Observation | None,
        lexicon: Lexicon,
        *,
        hierarchy: Hierarchy | None = None,
        activity: str = "",
    ) -> Recognition:
        """Decide for one screen; tree cues win, else the model on the screenshot's features."""
        values = features(observation, lexicon) if observation is not None else {}
        present, missing = _present(values)
        card = observation.pixels.card if observation is not None else None
        from_tree = tree_cues(hierarchy, activity, self.splash)
        if from_tree:
            kind = "splash" if any("splash" in c.lower() for c in from_tree) else "popup"
            return Recognition(True, 1.0, kind, "tree", (*from_tree, *present), missing, card)
        if observation is None:
            return Recognition(False, 0.0, "none", "tree", (), ("ad_sdk_id", "ad_activity"), None)
        probability = self.model.probability(values)
        is_ad = probability >= self.model.threshold
        kind = "none"
        if is_ad:
            fullscreen = values.get("fullscreen_picture", 0.0) >= 0.5 or values.get("card_boxed", 0.0) < 0.5
            kind = "splash" if values.get("skip_label", 0.0) >= 0.5 else "interstitial" if fullscreen else "popup"
        return Recognition(
            is_ad, probability, kind, "screenshot", present, missing, card, self.model.contributions(values)
        )


FEATURES = (
    "backdrop_luma",
    "backdrop_flat",
    "card_height",
    "card_width",
    "card_boxed",
    "card_centred",
    "card_lift",
    "dim_backdrop_card",
    "photo_share",
    "colourfulness",
    "status_bar_flat",
    "status_bar_step",
    "mean_luma",
    "ad_mark",
    "skip_label",
    "countdown_label",
    "install_button",
    "offer_text",
    "dialog_words",
    "dismiss_text",
    "text_lines",
    "close_icon",
    "close_icon_corner",
    "adchoices",
    "fullscreen_picture",
    "rating_prompt",
    "button_pair",
    "detected_lines",
)


@lru_cache(maxsize=2)
def load_recogniser(path: Path = POPUP_MODEL_PATH) -> Recogniser:
    """The shipped model (InputError when the artefact is missing or does not fit this code)."""
    model = load_model(path, FEATURES)
    splash = model.meta.get("gkd_splash", {})
    return Recogniser(
        model,
        SplashCues(
            ids=frozenset(str(v) for v in splash.get("ids", [])),
            activities=frozenset(str(v) for v in splash.get("activities", [])),
        ),
    )
