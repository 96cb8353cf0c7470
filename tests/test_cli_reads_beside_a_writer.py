"""Commands that only look (a report, the staff list, the inbound queue, a message printed) answer while
another station writes to a SQLite cache, as a sync does page after page, instead of waiting for it."""

from __future__ import annotations

import pytest
from click.testing import Result

from oms_tui.cache.database import open_cache
from tests.cli_shop import oms
from tests.mail.shop import seed_order
from tests.writer_busy import done_beside_a_writer

LOOKS = {
    "report": (("report", "picks", "--from", "2026-11-01"), "nothing recorded from 2026-11-01"),
    "staff list": (("staff", "list"), "S01          support  Sue Support"),
    "receive list": (("receive", "list"), "nothing inbound"),
    "message printed": (("message", "1001", "--template", "delayed"), "To: ana.lima@example.org"),
}


@pytest.mark.parametrize("look", LOOKS)
def test_a_command_that_only_looks_answers_while_another_station_writes(db_url: str, look: str) -> None:
    args, shown = LOOKS[look]
    cache = open_cache(db_url)
    seed_order(cache)
    answers: list[Result] = []
    try:
        answered = done_beside_a_writer(cache, lambda: answers.append(oms(*args)))
        assert answered, f"{look} waited for the writer"
    finally:
        cache.close()
    [answer] = answers
    assert answer.exit_code == 0 and shown in answer.output, answer.output
