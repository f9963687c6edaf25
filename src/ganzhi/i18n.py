"""Bilingual user-facing text: Chinese first, English available."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Lang = Literal["zh", "en"]


class Text(BaseModel):
    """A user-facing string in zh-CN (required) and English (optional)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    zh: str = Field(min_length=1)
    en: str | None = None

    def get(self, lang: Lang = "zh") -> str:
        """The text in `lang`, falling back to Chinese when no translation exists."""
        if lang == "en" and self.en:
            return self.en
        return self.zh
