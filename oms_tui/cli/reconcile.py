"""`oms-tui reconcile`: compare the cache with the store day by day and mend what differs."""

from __future__ import annotations

import asyncio
import sys
from datetime import date, datetime

import click

from oms_tui.cli.errors import one_line_errors
from oms_tui.cli.store import started_runtime
from oms_tui.runtime import Runtime
from oms_tui.store.reconcile import ReconcileOptions, Reconciler, ReconcileReport

BAR = 30  # characters of the progress bar


def show_progress(done: int, total: int) -> None:
    """A bar redrawn in place on a terminal; nothing when stderr is piped."""
    if not sys.stderr.isatty() or total <= 0:
        return
    filled = BAR * done // total
    click.echo(f"\r  [{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} days", nl=False, err=True)


def print_report(report: ReconcileReport, dry_run: bool) -> None:
    if sys.stderr.isatty():
        click.echo("", err=True)  # end the progress line
    span = f"{report.first_day} .. {report.last_day}" if report.first_day else "no orders"
    click.echo(f"days checked   {report.days_checked}  ({span})")
    if report.differing_days:
        click.echo(f"days whose counts differed: {', '.join(map(str, report.differing_days[:10]))}")
    for difference in report.differences:
        click.echo(f"  {difference.line()}")
    found = f"{len(report.differences)} found, {report.repaired} repaired, {report.left} left"
    click.echo(f"differences    {found}" + ("  (dry run: nothing changed)" if dry_run else ""))
    click.echo(f"cost           {report.points} points, {report.seconds:.1f}s")


def parse_day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a day (YYYY-MM-DD)") from None


@click.command()
@click.option(
    "--since", callback=parse_day, metavar="DATE", help="First day (YYYY-MM-DD); default: all history."
)
@click.option(
    "--deep", is_flag=True, help="Compare every order of the span field by field (costs a re-read)."
)
@click.option("--dry-run", is_flag=True, help="Report differences; repair nothing.")
@one_line_errors
def reconcile(since: date | None, deep: bool, dry_run: bool) -> None:
    """Prove the cache holds what the store holds; exit 0 clean, 1 repaired, 2 differences left."""
    with started_runtime() as runtime:
        report = asyncio.run(
            _reconcile(runtime, ReconcileOptions(since, deep, dry_run, "cli", runtime.settings.station))
        )
    print_report(report, dry_run)
    sys.exit(report.exit_code)


async def _reconcile(runtime: Runtime, options: ReconcileOptions) -> ReconcileReport:
    async with runtime.client() as client:
        return await Reconciler(client, runtime.cache, on_progress=show_progress).run(options)
