"""Text from people and the store, safe for a terminal: a control character (an escape sequence that
would retitle or recolour the terminal, a bell, a carriage return) is shown as its escape, `\\x1b`.

Applied where such text enters: the store's payloads as sync reads them, and what people type."""

from __future__ import annotations

import unicodedata


def _is_control(char: str, newlines: bool) -> bool:
    return unicodedata.category(char)[0] == "C" and not (newlines and char in "\n\t")


def has_control(text: str, *, newlines: bool = False) -> bool:
    """Whether `text` holds a control character (line breaks and tabs allowed with `newlines`)."""
    if text.isprintable():  # C-speed answer for nearly all text: no control (nor separator) characters
        return False
    return any(_is_control(char, newlines) for char in text)


def visible(text: str, *, newlines: bool = False) -> str:
    """`text` with each control character as its escape (`newlines`: line breaks and tabs kept)."""
    if not has_control(text, newlines=newlines):
        return text
    return "".join(
        char.encode("unicode_escape").decode() if _is_control(char, newlines) else char for char in text
    )
