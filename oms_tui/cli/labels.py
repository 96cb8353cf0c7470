"""`oms-tui labels`: shipping labels from a shell: rates, buy (exactly once), void, reprint, a pick
batch's labels, and the end of day's scan form. Bad input is one line and records nothing."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import datetime, time
from pathlib import Path
from typing import Any, TypeVar

import click

from oms_tui.cli.errors import load_settings, one_line_errors
from oms_tui.cli.store import started_runtime

T = TypeVar("T")
FORMATS = {".pdf": "PDF", ".zpl": "ZPL"}


@click.group("labels")
def labels() -> None:
    """Shipping labels: rates, buy, void, reprint, batch, scan form."""


def _target(to: Path | None) -> str | None:
    """The label format a `--to` file asks for (its extension)."""
    if to is None:
        return None
    fmt = FORMATS.get(to.suffix.lower())
    if fmt is None:
        raise click.ClickException(f"--to {to}: name a .pdf or a .zpl file")
    return fmt


@contextmanager
def _desk(staff: str | None) -> Iterator[Any]:
    """The runtime and a label desk for the person (`--staff`, or the station's `staff` setting)."""
    from oms_tui.floor.actions.staff import StaffError, active_staff
    from oms_tui.floor.actions.store_actions import Actor
    from oms_tui.label_service import NoLabelService

    settings = load_settings()
    with started_runtime() as runtime:
        code = staff or settings.staff
        try:
            with runtime.cache.sessions() as session:
                person = active_staff(session, code).code if code else None
            desk = runtime.label_desk(Actor(settings.station, person))
        except (StaffError, NoLabelService) as exc:
            raise click.ClickException(str(exc)) from None
        yield runtime, desk


def _run(step: Callable[[], Coroutine[Any, Any, T]]) -> T:
    from oms_tui.floor.labels.rules import LabelProblem

    try:
        return asyncio.run(step())
    except LabelProblem as exc:
        raise click.ClickException(str(exc)) from None


staff_option = click.option("--staff", metavar="CODE", help="Who buys (an active staff code).")
box_option = click.option("--box", metavar="NAME", help="A box preset (the `boxes` setting).")
weight_option = click.option(
    "--weight", type=click.FloatRange(1, 70_000), metavar="G", help="Parcel weight in grams."
)


@labels.command("rates")
@click.argument("order")
@box_option
@weight_option
@staff_option
@one_line_errors
def rates(order: str, box: str | None, weight: float | None, staff: str | None) -> None:
    """The carrier's rates for ORDER's parcel; * marks the one the rule buys."""
    with _desk(staff) as (_, desk):
        quote = _run(lambda: desk.quote(order, box=box, weight_g=weight))
    click.echo(f"{quote.order_name}: {quote.box} box, {quote.weight_g:g} g, promise {quote.max_days} day(s)")
    for rate in sorted(quote.rates, key=lambda rate: rate.price):
        mark = "*" if rate.id == quote.chosen.id else " "
        click.echo(f"{mark} {rate.id}  {rate.describe()}")


@labels.command("buy")
@click.argument("order")
@click.option("--rate", "rate_id", metavar="ID", help="Buy this rate (from `labels rates`).")
@box_option
@weight_option
@click.option(
    "--to", type=click.Path(dir_okay=False, path_type=Path), help="Write the label here (.pdf/.zpl)."
)
@staff_option
@one_line_errors
def buy(
    order: str, rate_id: str | None, box: str | None, weight: float | None, to: Path | None, staff: str | None
) -> None:
    """Buy ORDER's label (once: an order with a live label is refused) and print it; prints the
    tracking number."""
    from oms_tui.carriers.base import LabelFormat

    fmt = _target(to)
    with _desk(staff) as (runtime, desk):
        label_format = LabelFormat(fmt) if fmt else None
        label = _run(
            lambda: desk.buy(order, rate_id=rate_id, box=box, weight_g=weight, label_format=label_format)
        )
        click.echo(label.tracking_number)
        click.echo(f"{label.carrier} {label.service} {label.price} {label.currency}", err=True)
        _output(runtime, desk, label, to)


def _output(runtime: Any, desk: Any, label: Any, to: Path | None) -> None:
    """The label to its printer or file (a failed print is an exception; the label is kept)."""
    from oms_tui.printing.label_output import print_label
    from oms_tui.printing.output import PrintFailed

    data = _run(lambda: desk.label_file(label))
    name = f"label-{label.order_name.lstrip('#')}-{label.tracking_number}"
    try:
        said = print_label(
            runtime.cache, runtime.settings, name, data, label.label_format.value, label.order_id, to=to
        )
    except PrintFailed as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(said, err=True)


@labels.command("void")
@click.argument("order")
@staff_option
@one_line_errors
def void(order: str, staff: str | None) -> None:
    """Void ORDER's live label: the carrier refunds it (confirmed later: `labels refunds`)."""
    with _desk(staff) as (_, desk):
        label = _run(lambda: desk.void(order))
    status = f", refund {label.refund_status}" if label.refund_status else ""
    number = f" {label.tracking_number}" if label.tracking_number else ""
    click.echo(f"{label.order_name}: label{number} {label.state}{status}")


@labels.command("reprint")
@click.argument("order")
@click.option("--to", type=click.Path(dir_okay=False, path_type=Path), help="Write the label here instead.")
@staff_option
@one_line_errors
def reprint(order: str, to: Path | None, staff: str | None) -> None:
    """Print ORDER's bought label again (nothing is bought)."""
    fmt = _target(to)
    with _desk(staff) as (runtime, desk):
        label = _run(lambda: _bought(desk, order))
        has = label.label_format.value
        if fmt and fmt != has:
            raise click.ClickException(f"{label.order_name}'s label is {has}: name a .{has.lower()} file")
        _output(runtime, desk, label, to)


async def _bought(desk: Any, order: str) -> Any:
    from oms_tui.floor.labels.rules import LabelProblem

    label = desk.label_of(order)
    if not label.bought:
        raise LabelProblem(f"{label.order_name} has no bought label ({label.state})")
    return label


@labels.command("refunds")
@staff_option
@one_line_errors
def refunds(staff: str | None) -> None:
    """Void the labels that will not ship (cancelled, held, abandoned) and ask how refunds stand."""
    from oms_tui.floor.labels.records import void_unused

    with _desk(staff) as (runtime, desk):
        with runtime.cache.sessions() as session:
            try:
                lines = void_unused(session, desk.actor)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
            session.commit()
        lines += _run(desk.confirm_refunds)
    for line in lines or ["no label waits for a refund"]:
        click.echo(line)


@labels.command("batch")
@click.argument("batch", type=int)
@box_option
@weight_option
@staff_option
@one_line_errors
def batch(batch: int, box: str | None, weight: float | None, staff: str | None) -> None:
    """Buy and print the labels of pick batch BATCH's single-item orders, in pick order."""
    from oms_tui.floor.labels.batch import single_item_orders

    with _desk(staff) as (runtime, desk):
        with runtime.cache.reads() as session:
            try:
                names = single_item_orders(session, batch)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
        done, problems = 0, []

        def one(name: str) -> Any:
            return _run(lambda: _buy_live(desk, name, box, weight))

        with click.progressbar(names, label=f"batch {batch}", file=sys.stderr) as bar:
            for name in bar:
                try:
                    label = one(name)
                    _output(runtime, desk, label, None)
                    done += 1
                    click.echo(f"{name} {label.tracking_number}")
                except click.ClickException as exc:
                    problems.append(f"{name}: {exc.message}")
        for problem in problems:
            click.echo(problem, err=True)
        click.echo(f"{done} of {len(names)} labels bought and printed", err=True)
        if problems:
            raise SystemExit(1)


async def _buy_live(desk: Any, name: str, box: str | None, weight: float | None) -> Any:
    """The order's bought label, or one bought now (a rerun of the batch buys nothing twice)."""
    from oms_tui.cache.enums import LabelState

    try:
        label = desk.label_of(name)
    except ValueError:
        label = None
    if label is not None and label.state == LabelState.BOUGHT:
        return label
    return await desk.buy(name, box=box, weight_g=weight)


@labels.command("scan-form")
@click.option("--carrier", "carrier_name", metavar="NAME", help="Only this carrier's labels (e.g. USPS).")
@click.option("--to", type=click.Path(dir_okay=False, path_type=Path), help="Write the form's PDF here.")
@staff_option
@one_line_errors
def scan_form(carrier_name: str | None, to: Path | None, staff: str | None) -> None:
    """The day's scan form (manifest) of the labels bought today and not on a form yet; prints it."""
    from oms_tui.floor.labels.scan_forms import make_scan_forms
    from oms_tui.printing.output import Document, PrintFailed, print_documents

    with _desk(staff) as (runtime, desk):
        now = datetime.now().astimezone()
        start = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)  # today, on this station's clock
        forms = _run(lambda: make_scan_forms(desk, start, carrier_name))
        if not forms:
            raise click.ClickException("no label bought today is waiting for a scan form")
        for form, carrier, count, pdf in forms:
            click.echo(f"{form.id}: {carrier}, {count} labels")
            document = Document(f"scan-form-{carrier}-{form.id}", pdf)
            try:
                click.echo(print_documents(runtime.cache, runtime.settings, document, to=to), err=True)
            except PrintFailed as exc:
                raise click.ClickException(str(exc)) from None
