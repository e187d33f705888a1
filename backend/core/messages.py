"""Message catalogues: what the server says, in Chinese and English, kept by whoever says it.

Each capability keeps one typed catalogue module (``backend/<capability>/messages.py``) of
``Catalogue`` classes whose attributes are ``Message`` entries; the attribute's name is the
message's code. Its manifest plugs in the ``problems`` (the title of an error answer, by the
error's code) and ``fields`` (a field error's message, by code) catalogues; the core keeps only
the generic ones (``backend/core/errors.py``, ``backend/core/problems.py``). Other entries
(notice titles, labels) are used where they are needed through ``Message.fill``.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

from backend.core.i18n import Lang, text

__all__ = [
    "Catalogue",
    "Message",
    "field_message",
    "problem_message",
    "register_fields",
    "register_problems",
]


class Message(NamedTuple):
    """One thing said, Chinese first. ``{name}`` placeholders are filled from params."""

    zh: str
    en: str

    def text(self, lang: Lang, /, **params: Any) -> str:
        """The message in ``lang`` (see ``backend.core.i18n.text``)."""
        return text(self, lang, **params)

    def both(self) -> str:
        """Both languages in one text, as flag details and eligibility reasons keep them.

        >>> Message("无坐标", "No coordinates").both()
        '无坐标 / No coordinates'
        """
        return f"{self.zh} / {self.en}"

    def fill(self, **params: Any) -> Message:
        """Both languages with ``params`` filled in (for a notice, which keeps both).

        >>> Message("{n} 天", "{n} days").fill(n=3)
        Message(zh='3 天', en='3 days')
        """
        return Message(self.zh.format(**params), self.en.format(**params))


class Catalogue:
    """A typed catalogue: subclass it and name each ``Message`` as a class attribute.

    >>> class Greetings(Catalogue):
    ...     hello = Message("你好", "Hello")
    >>> Greetings.hello.en, list(Greetings.entries())
    ('Hello', ['hello'])
    """

    _entries: ClassVar[dict[str, Message]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._entries = {
            name: value
            for klass in reversed(cls.__mro__)
            for name, value in vars(klass).items()
            if isinstance(value, Message)
        }

    @classmethod
    def entries(cls) -> dict[str, Message]:
        return dict(cls._entries)


_problems: dict[str, Message] = {}
_fields: dict[str, Message] = {}


def _register(into: dict[str, Message], catalogue: type[Catalogue], kind: str) -> None:
    for code, message in catalogue.entries().items():
        known = into.get(code)
        if known is not None and known != message:
            raise ValueError(f"{kind} message {code!r} has two different texts")
        into[code] = message


def register_problems(catalogue: type[Catalogue]) -> None:
    """Plug in the titles of error answers by error code (the same text twice is harmless)."""
    _register(_problems, catalogue, "problem")


def register_fields(catalogue: type[Catalogue]) -> None:
    """Plug in the messages of field errors by code."""
    _register(_fields, catalogue, "field")


def problem_message(code: str) -> Message | None:
    return _problems.get(code)


def field_message(code: str) -> Message | None:
    return _fields.get(code)
