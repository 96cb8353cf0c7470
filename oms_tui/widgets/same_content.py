"""Updating a widget only when what it shows changes.

Every change another station commits reaches every screen on the floor, and most change nothing a
given widget shows; Textual's `Static.update` and `Digits.update` draw again (a Static lays the whole
screen out again) whatever they are given. At sixteen stations those redraws were a station's
largest cost while somebody else worked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.visual import VisualType
from textual.widgets import Digits, Static


def update(widget: Static, content: VisualType, *, layout: bool = True) -> None:
    """`widget.update(content)` unless it shows that already."""
    if not _same(widget.content, content):
        widget.update(content, layout=layout)


def update_digits(digits: Digits, value: str) -> None:
    if digits.value != value:
        digits.update(value)


def same_rows(shown: Sequence[Sequence[Any]], rows: Sequence[Sequence[Any]]) -> bool:
    """Whether a table's rows are, cell for cell, those it shows (a DataTable filled again draws and
    lays out everything)."""
    return len(shown) == len(rows) and all(
        len(old) == len(new) and all(map(_same, old, new)) for old, new in zip(shown, rows, strict=True)
    )


def _same(shown: Any, content: Any) -> bool:
    if isinstance(shown, Text) and isinstance(content, Text):  # rich's == leaves the base style out
        return _text_key(shown) == _text_key(content)
    return bool(shown == content)


def _text_key(text: Text) -> tuple[Any, ...]:
    return (text.plain, text.style, text.spans, text.justify, text.overflow, text.no_wrap, text.end)
