"""`oms-tui report`: the manager's numbers from a shell, as an aligned table or a CSV file."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click

from oms_tui.cli.errors import load_settings, one_line_errors
from oms_tui.cli.session import cache_session

DAYS = 7  # the range when none is given: the last week, today included


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _range(start: str | None, end: str | None) -> tuple[date, date]:
    last = _date(end) or datetime.now(UTC).date()
    return _date(start) or last - timedelta(days=DAYS - 1), last


@click.group()
def report() -> None:
    """Orders and units picked and packed, on-time shipments, exceptions and label spend (days are UTC)."""


def _report_command(name: str, groupings: tuple[str, ...], default: str, summary: str) -> click.Command:
    @click.command(name=name, help=f"{summary} Days are UTC; the range includes both ends.")
    @click.option(
        "--from", "start", metavar="DATE", help=f"First day (default: {DAYS - 1} days before --to)."
    )
    @click.option("--to", "end", metavar="DATE", help="Last day (default: today).")
    @click.option("--by", type=click.Choice(groupings), default=default, show_default=True)
    @click.option(
        "--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path), help="Write CSV here."
    )
    @one_line_errors
    def command(start: str | None, end: str | None, by: str, csv_file: Path | None) -> None:
        from oms_tui.floor.reports.text_tables import report as make_report

        first, last = _range(start, end)
        settings = load_settings()
        with cache_session(settings, read_only=True) as session:
            table = make_report(session, name, first, last, by)  # type: ignore[arg-type]
        if csv_file is None:
            click.echo(table.aligned() if table.rows else f"nothing recorded from {first} to {last}")
            return
        with csv_file.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(table.columns)
            writer.writerows(table.rows)
        click.echo(f"{len(table.rows)} rows written to {csv_file}")

    return command


ALL = ("hour", "day", "week", "person")
report.add_command(
    _report_command("picks", ALL, "day", "Orders and units picked, time per order, mis-scans, short picks.")
)
report.add_command(
    _report_command("packs", ALL, "day", "Orders and units packed, time per order, mis-scans.")
)
report.add_command(
    _report_command("on-time", ("day", "week"), "day", "Shipments that left by their ship-by time.")
)
report.add_command(_report_command("exceptions", ("day", "week"), "day", "Exceptions opened and closed."))
report.add_command(
    _report_command(
        "label-spend",
        ("day", "week", "service"),
        "day",
        "Labels bought, voided, refunded (and waiting for the refund), net spend and per parcel, by the "
        "day they were bought or by carrier and service, then the range's total.",
    )
)


@report.command()
@one_line_errors
def rebuild() -> None:
    """Recompute the report tables from the audit log, the exceptions and the labels (a cache with older
    history)."""
    from oms_tui.floor.reports.rebuild import rebuild as rebuild_tables

    with cache_session(load_settings()) as session:
        done = rebuild_tables(session)
        session.commit()
    click.echo(
        f"report tables rebuilt from {done.events} audit events, {done.exceptions} exceptions and "
        f"{done.labels} paid labels"
    )
