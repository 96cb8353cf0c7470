from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.process_group import ProcessGroups


@pytest.fixture
def processes() -> Iterator[ProcessGroups]:
    """Start a test's stations here: whatever they started is killed when the test ends, however it
    ends (a failed stations test once left two pushers running for 50 minutes)."""
    groups = ProcessGroups()
    try:
        yield groups
    finally:
        groups.kill_all()
