"""Two languages, Chinese first: picking one from Accept-Language and looking up messages."""

from __future__ import annotations

from typing import Literal

__all__ = ["Lang", "pick_lang", "text"]

Lang = Literal["zh", "en"]


def pick_lang(accept_language: str | None) -> Lang:
    """Chinese unless the caller prefers English over Chinese.

    >>> pick_lang("en-US,en;q=0.9,zh;q=0.5")
    'en'
    >>> pick_lang(None)
    'zh'
    """
    if not accept_language:
        return "zh"
    best: tuple[float, Lang] = (-1.0, "zh")
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        lang: Lang | None = "en" if tag.startswith("en") else "zh" if tag.startswith("zh") else None
        # Earlier entries win ties, as browsers list them in order of preference.
        if lang and quality - position * 1e-6 > best[0]:
            best = (quality - position * 1e-6, lang)
    return best[1]


def text(pair: tuple[str, str], lang: Lang, **params: object) -> str:
    """The message of ``pair`` (zh, en) in ``lang`` with ``params`` filled in."""
    template = pair[0] if lang == "zh" else pair[1]
    try:
        return template.format_map(_Blank(params)).strip(" ：:")
    except (IndexError, ValueError):
        return template


class _Blank(dict):
    """Missing placeholders read as empty text rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""
