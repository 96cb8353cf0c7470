"""`oms-tui report`: the scripted shift's numbers as an aligned table and as CSV; a rebuild on the
same cache; bad input is one line."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from oms_tui.cache.database import open_cache
from oms_tui.cache.models import ReportDay, ReportHour
from oms_tui.cli import main
from tests.floor.report_shift import Clock, clock, work_a_shift

__all__ = ["clock"]  # the fixture
SHIFT = ["--from", "2026-11-26", "--to", "2026-11-27"]


def shift(db_url: str, clock: Clock) -> None:
    cache = open_cache(db_url)
    with cache.sessions() as session:
        work_a_shift(session, clock)
    cache.close()


def report(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["report", *args])
    return result.exit_code, result.output


def test_each_report_is_an_aligned_table(db_url: str, clock: Clock) -> None:
    shift(db_url, clock)
    code, output = report("picks", *SHIFT, "--by", "person")
    assert code == 0, output
    header, bo = output.splitlines()
    assert header.split("  ")[0] == "person" and "short picks" in header
    assert bo.split() == ["P02", "2", "3", "1:20", "1", "33.3", "1", "33.3"]  # 09:40:20-09:43:00 / 2 orders
    assert len(header) == len(bo)  # the last column is right-aligned under its title

    assert report("packs", *SHIFT, "--by", "hour")[1].splitlines()[1:] == [
        "2026-11-26 10:00       1      2        2:00          1           50.0",  # 10:15:40-10:17:40
        "2026-11-27 10:00       1      1        1:20          0            0.0",
    ]
    assert report("on-time", *SHIFT)[1].splitlines() == [
        "day         shipped  on time  late  on time %",
        "2026-11-26        1        1     0     100.0%",
        "2026-11-27        1        0     1       0.0%",
    ]
    assert report("exceptions", *SHIFT, "--by", "week")[1].splitlines() == [
        "week      opened  closed",
        "2026-W48       1       1",
    ]
    assert report("picks", "--from", "2026-01-01", "--to", "2026-01-02")[1] == (
        "nothing recorded from 2026-01-01 to 2026-01-02\n"
    )


def test_csv_holds_the_same_rows(db_url: str, clock: Clock, tmp_path: Path) -> None:
    shift(db_url, clock)
    out = tmp_path / "packs.csv"
    code, output = report("packs", *SHIFT, "--by", "person", "--csv", str(out))
    assert (code, output) == (0, f"1 rows written to {out}\n")
    with out.open(newline="") as file:
        assert list(csv.reader(file)) == [
            ["person", "orders", "units", "time/order", "mis-scans", "per 100 units"],
            ["P01", "2", "3", "1:40", "1", "33.3"],  # the night between is no work
        ]


def test_rebuild_refills_the_tables_from_the_audit_log(db_url: str, clock: Clock) -> None:
    shift(db_url, clock)
    before = report("packs", *SHIFT, "--by", "hour")[1]
    cache = open_cache(db_url)
    with cache.sessions() as session:
        for model in (ReportHour, ReportDay):
            session.execute(model.__table__.delete())  # type: ignore[attr-defined]
        session.commit()
    assert report("packs", *SHIFT)[1].startswith("nothing recorded")

    code, output = report("rebuild")
    assert (
        code == 0
        and output.startswith("report tables rebuilt from ")
        and "1 exceptions and 0 paid labels" in output
    )
    assert report("packs", *SHIFT, "--by", "hour")[1] == before
    with cache.sessions() as session:
        assert session.execute(select(func.count()).select_from(ReportHour)).scalar() == 3
    cache.close()


def test_bad_input_is_one_line(db_url: str) -> None:
    code, output = report("on-time", "--by", "person")
    assert code == 2 and "'person' is not one of 'day', 'week'" in output
    code, output = report("picks", "--from", "2026-11-27", "--to", "2026-11-26")
    assert (code, output) == (1, "Error: the range ends (2026-11-26) before it starts (2026-11-27)\n")
    code, output = report("picks", "--from", "yesterday")
    assert code == 2 and "'yesterday' is not a date (YYYY-MM-DD)" in output
