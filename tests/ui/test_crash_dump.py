"""The app's crash dump shows where it failed, never a frame's local variables: they hold the
database password (psycopg's conninfo) and the store token (request headers)."""

from __future__ import annotations

import pytest

from oms_tui.app import OmsApp

CANARY = "db-pw-canary-7f3a"


class CacheWentAway(Exception):
    pass


def connect_to_the_cache() -> None:
    conninfo = f"host=db.local user=oms password={CANARY} dbname=oms"  # as psycopg holds it
    raise CacheWentAway(f"connection to {conninfo.split()[0]} refused")


async def test_a_crash_dump_shows_no_locals(app: OmsApp, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CacheWentAway):
        async with app.run_test() as pilot:
            app.call_later(connect_to_the_cache)
            await pilot.pause()
    dump = capsys.readouterr().err
    assert "CacheWentAway: connection to host=db.local refused" in dump
    assert "connect_to_the_cache" in dump  # the frames are there: where it failed
    assert CANARY not in dump
