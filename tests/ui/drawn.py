"""Which widgets ask to be drawn again, for tests that a change showing nothing new draws nothing."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widget import Widget


def count_draws(monkeypatch: pytest.MonkeyPatch) -> list[Widget]:
    """From now on, every widget that asks to be drawn again (`Widget.refresh`), in order."""
    drawn: list[Widget] = []
    refresh = Widget.refresh

    def counted(widget: Widget, *args: Any, **kwargs: Any) -> Any:
        drawn.append(widget)
        return refresh(widget, *args, **kwargs)

    monkeypatch.setattr(Widget, "refresh", counted)
    return drawn


def count_layouts(monkeypatch: pytest.MonkeyPatch) -> list[Widget]:
    """From now on, every widget that asks for the screen to be laid out again, in order."""
    laid_out: list[Widget] = []
    refresh = Widget.refresh

    def counted(widget: Widget, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("layout"):
            laid_out.append(widget)
        return refresh(widget, *args, **kwargs)

    monkeypatch.setattr(Widget, "refresh", counted)
    return laid_out
