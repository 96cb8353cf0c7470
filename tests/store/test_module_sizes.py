"""The store's modules stay small enough to read: one responsibility each, none over 500 lines."""

from __future__ import annotations

from pathlib import Path

import oms_tui.store

LIMIT = 500


def test_no_store_module_is_over_500_lines() -> None:
    package = Path(oms_tui.store.__file__).parent
    sizes = {path.name: len(path.read_text().splitlines()) for path in package.glob("*.py")}
    assert sizes and {name: size for name, size in sizes.items() if size > LIMIT} == {}
