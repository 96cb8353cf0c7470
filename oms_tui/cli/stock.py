"""`oms-tui stock`: stock from a shell, for scripts and recovery.

`show SKU` prints a line per location and quantity name; `count BIN...` counts bins (it lists what to
count, or records `--counted BIN:SKU=N` for every line and sends the result); `adjust SKU --by N
--reason R` corrects a quantity; `move SKU --from available --to damaged --qty N` changes units'
state; `bin CODE` shows a bin's SKUs, role and minimum, and sets them with `--role`, `--min N` or
`--no-min` (a manager's, for the whole bin; our own floor data, never sent to the store). Changes are
recorded as the app records them (audit, outbox) and reach the store at the next
sync or with `oms-tui outbox push`. Bad input is one line, exits non-zero and records nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from sqlmodel import Session, col, select

from oms_tui.actions.permissions import ActionRefused
from oms_tui.actions.stock_common import AdjustName, MoveName, Reason
from oms_tui.cache.enums import BinRole
from oms_tui.cache.models import BinStock, InventoryLevel, Location, OutboxAction
from oms_tui.cache.stock_state import QUANTITY_NAMES
from oms_tui.cli.errors import load_settings, one_line_errors
from oms_tui.cli.session import cache_session
from oms_tui.config import Settings
from oms_tui.floor.actions.staff import StaffError, active_staff
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.stock.bin_stock import bin_rows, set_bin_minimum, set_bin_role
from oms_tui.floor.stock.counts import Scope, finish_count, lines_of, record_count, start_count
from oms_tui.floor.stock.stock_changes import level_of, location_of, record_adjust, record_move
from oms_tui.plain_text import visible

MOVE_REASONS = {"damaged": Reason.DAMAGED, "quality_control": Reason.QUALITY_CONTROL}
location_option = click.option(
    "--location", metavar="NAME", help="The location (name or id); default: the only one."
)
staff_option = click.option("--staff", "staff_code", metavar="CODE", required=True, help="Who does it.")


@click.group()
def stock() -> None:
    """Stock: show, count, adjust and move quantities."""


@stock.command()
@click.argument("sku")
@location_option
@one_line_errors
def show(sku: str, location: str | None) -> None:
    """Every quantity of SKU at each location, as the cache holds it."""
    with cache_session(load_settings()) as session:
        names = {loc.id: loc.name for loc in session.exec(select(Location))}
        query = select(InventoryLevel).where(InventoryLevel.sku == sku)
        if location is not None:
            query = query.where(InventoryLevel.location_id == _location(session, location).id)
        levels = sorted(
            session.exec(query.order_by(col(InventoryLevel.location_id))),
            key=lambda lv: names.get(lv.location_id, ""),
        )
    if not levels:
        raise click.ClickException(f"{sku}: no stock of it in the cache (is it synced?)")
    width = max(len(names.get(level.location_id, level.location_id)) for level in levels)
    for level in levels:
        where = visible(names.get(level.location_id, level.location_id))
        for name in QUANTITY_NAMES:
            click.echo(f"{where:<{width}}  {name:<15}  {getattr(level, name)}")


@stock.command()
@click.argument("bins", nargs=-1, required=True)
@click.option(
    "--counted", "counted", multiple=True, metavar="BIN:SKU=N", help="What a bin holds of a SKU; repeatable."
)
@click.option("--recounted", is_flag=True, help="The numbers are a recount: taken even beyond the tolerance.")
@location_option
@staff_option
@one_line_errors
def count(
    bins: tuple[str, ...], counted: tuple[str, ...], recounted: bool, location: str | None, staff_code: str
) -> None:
    """Count BINS: without --counted, list what to count; with it (every line), send the result."""
    results = [_counted(text) for text in counted]

    def act(session: Session, actor: Actor, settings: Settings) -> list[OutboxAction]:
        found = start_count(
            session, actor, _location(session, location).id, Scope(bins=tuple(b.upper() for b in bins))
        )
        assert found.id is not None
        lines = lines_of(session, found.id)
        if not results:
            for line in lines:
                expected = "?" if line.expected is None else line.expected
                click.echo(f"count {found.id}: {line.code}  {visible(line.sku)}  expected {expected}")
            return []
        wanted = {(line.code, line.sku) for line in lines}
        given = {(code, sku) for code, sku, _ in results}
        if wanted - given:
            missing = ", ".join(f"{code}:{sku}" for code, sku in sorted(wanted - given))
            raise ActionRefused(f"not counted: {missing}")
        if given - wanted:
            extra = ", ".join(f"{code}:{sku}" for code, sku in sorted(given - wanted))
            raise ActionRefused(f"not in these bins by our records: {extra}")
        for code, sku, units in results:
            for _ in range(2 if recounted else 1):
                line = record_count(session, actor, found.id, code, sku, units, settings.count_tolerance)
                if line.state == "counted":
                    break
            if line.state != "counted":
                raise ActionRefused(f"{code}:{sku}: {line.note} (then pass --recounted)")
        return finish_count(session, actor, found.id)

    _record(staff_code, act)


@stock.command()
@click.argument("sku")
@click.option("--by", "delta", type=int, required=True, help="Units to add (negative: to take away).")
@click.option("--reason", type=click.Choice([r.value for r in Reason]), required=True)
@click.option(
    "--name", type=click.Choice([n.value for n in AdjustName]), default="available", show_default=True
)
@location_option
@staff_option
@one_line_errors
def adjust(sku: str, delta: int, reason: str, name: str, location: str | None, staff_code: str) -> None:
    """Correct SKU's NAME quantity by a number of units."""

    def act(session: Session, actor: Actor, settings: Settings) -> list[OutboxAction]:
        level = level_of(session, sku, _location(session, location).id)
        return [record_adjust(session, actor, level, delta, Reason(reason), name=AdjustName(name))]

    _record(staff_code, act)


@stock.command()
@click.argument("sku")
@click.option("--from", "source", type=click.Choice([n.value for n in MoveName]), required=True)
@click.option("--to", "target", type=click.Choice([n.value for n in MoveName]), required=True)
@click.option("--qty", "quantity", type=click.IntRange(min=1), required=True)
@click.option("--reason", type=click.Choice([r.value for r in Reason]), help="Default: by --to (damaged...).")
@location_option
@staff_option
@one_line_errors
def move(
    sku: str,
    source: str,
    target: str,
    quantity: int,
    reason: str | None,
    location: str | None,
    staff_code: str,
) -> None:
    """Move units of SKU from one quantity name to another (available -> damaged...)."""
    if source == target:
        raise click.ClickException("--from and --to must differ")
    why = Reason(reason) if reason else MOVE_REASONS.get(target, MOVE_REASONS.get(source, Reason.CORRECTION))

    def act(session: Session, actor: Actor, settings: Settings) -> list[OutboxAction]:
        level = level_of(session, sku, _location(session, location).id)
        return [record_move(session, actor, level, MoveName(source), MoveName(target), quantity, why)]

    _record(staff_code, act)


@stock.command("bin")
@click.argument("code")
@click.option(
    "--role", type=click.Choice([r.value for r in BinRole]), help="Pickers take from it, or it refills."
)
@click.option("--min", "minimum", type=click.IntRange(min=0), help="Below it the pick bin wants refilling.")
@click.option("--no-min", is_flag=True, help="The bin's minimum is the setting's (replenish_minimum) again.")
@location_option
@click.option("--staff", "staff_code", metavar="CODE", help="Who sets it (a manager); needed to set.")
@one_line_errors
def bin_(
    code: str,
    role: str | None,
    minimum: int | None,
    no_min: bool,
    location: str | None,
    staff_code: str | None,
) -> None:
    """Bin CODE's SKUs, role and minimum; with --role, --min or --no-min, set them for the whole bin."""
    if minimum is not None and no_min:
        raise click.ClickException("--min and --no-min: one or the other")
    setting = role is not None or minimum is not None or no_min
    if setting and staff_code is None:
        raise click.ClickException("--staff: who sets it (a manager)")
    settings = load_settings()
    with cache_session(settings) as session:
        try:
            location_id = _location(session, location).id
            if setting:
                actor = Actor(settings.station, active_staff(session, staff_code or "").code)
                if role is not None:
                    set_bin_role(session, actor, location_id, code, BinRole(role))
                if minimum is not None or no_min:
                    set_bin_minimum(session, actor, location_id, code, minimum)
            rows = bin_rows(session, location_id, code)
        except (ActionRefused, StaffError) as exc:
            session.rollback()
            raise click.ClickException(str(exc)) from None
        session.commit()
        lines = [_bin_line(row, settings.replenish_minimum) for row in rows]
    for line in lines:
        click.echo(line)


def _bin_line(row: BinStock, default_minimum: int) -> str:
    minimum = f"{default_minimum} (default)" if row.minimum is None else str(row.minimum)
    return f"{row.code}  {visible(row.sku)}  {row.quantity} unit(s)  {row.role.value}  minimum {minimum}"


def _record(staff_code: str, act: Callable[[Session, Actor, Settings], list[OutboxAction]]) -> None:
    """Run `act` in one transaction: all of it is recorded, or (on a refusal) none of it."""
    settings = load_settings()
    with cache_session(settings) as session:
        try:
            staff = active_staff(session, staff_code).code
            actions = act(session, Actor(settings.station, staff), settings)
        except (ActionRefused, StaffError) as exc:
            session.rollback()
            raise click.ClickException(str(exc)) from None
        session.commit()
        shown = [(action.id, action.kind, action.payload.get("sku", "")) for action in actions]
    for ident, kind, sku in shown:
        click.echo(f"action {ident}: {kind} {visible(sku)}")
    if shown:
        click.echo("the store gets it at the next sync, or now with `oms-tui outbox push`", err=True)


def _location(session: Session, given: str | None) -> Location:
    return location_of(session, given or load_settings().stock_location)


def _counted(text: str) -> tuple[str, str, int]:
    place, _, units = text.rpartition("=")
    code, _, sku = place.partition(":")
    if not code or not sku or not units.isdigit():
        raise click.ClickException(f"--counted {text}: write BIN:SKU=N with a whole number")
    return code.strip().upper(), sku.strip(), int(units)
