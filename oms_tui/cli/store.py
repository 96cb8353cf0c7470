"""`oms-tui sync` and `oms-tui outbox`: the store side of the floor, from a shell."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlmodel import col, select

from oms_tui.actions.registry import about, location_names
from oms_tui.cache.enums import OUTBOX_WAITING, OutboxState
from oms_tui.cache.models import OutboxAction
from oms_tui.cli.errors import load_settings, one_line_errors
from oms_tui.floor.actions.audit import record
from oms_tui.plain_text import visible
from oms_tui.runtime import LiveUpdate, Runtime
from oms_tui.store.api_notices import current_notices, record_notices
from oms_tui.store.errors import StoreAuthError, StoreError
from oms_tui.store.outbox import OutboxPusher, PushSummary
from oms_tui.store.sync import StreamCounts, SyncEngine, SyncSummary
from oms_tui.store.sync_lock import LeaseLost, SyncBusy


@contextmanager
def started_runtime() -> Iterator[Runtime]:
    try:
        runtime = Runtime.start(load_settings())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield runtime
    finally:
        runtime.close()


def show_progress(stream: str, counts: StreamCounts) -> None:
    """A counter redrawn in place on a terminal; nothing when stderr is piped (no carriage returns)."""
    if not sys.stderr.isatty():
        return
    seen = counts.created + counts.updated + counts.unchanged
    click.echo(
        f"\r  {stream:<20} {seen:>8} read  ({counts.created} new, {counts.updated} changed)",
        nl=False,
        err=True,
    )


def print_summary(summary: SyncSummary, notices: list[str]) -> None:
    if sys.stderr.isatty():
        click.echo("", err=True)  # end the progress line
    click.echo(f"{'stream':<20} {'created':>8} {'updated':>8} {'unchanged':>10} {'errors':>7}")
    for stream, counts in summary.streams.items():
        numbers = f"{counts.created:>8} {counts.updated:>8} {counts.unchanged:>10} {len(counts.errors):>7}"
        click.echo(f"{stream:<20} {numbers}")
    click.echo(f"done in {summary.seconds:.1f}s")
    for notice in notices:
        click.echo(f"API notice: {notice}")
    for error in summary.errors:
        click.echo(f"error: {error}", err=True)


@click.command()
@click.option("--watch", is_flag=True, help="Keep polling every poll_interval seconds (Ctrl-C stops).")
@one_line_errors
def sync(watch: bool) -> None:
    """Bring the local cache up to date with the store and push waiting actions."""
    with started_runtime() as runtime:
        if watch:  # until Ctrl-C; a refused token is said and tried again (it may be replaced meanwhile)
            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(runtime.live_loop(lambda update: click.echo(_line(update))))
            return
        try:
            summary = asyncio.run(_sync_once(runtime))
        except SyncBusy as exc:
            raise click.ClickException(f"{exc}; try again when it is done") from None
        except (StoreError, LeaseLost) as exc:
            raise click.ClickException(f"sync stopped: {exc}") from None
        print_summary(summary, [notice.message for notice in current_notices(runtime.cache)])
        if summary.errors:
            raise SystemExit(1)


async def _sync_once(runtime: Runtime) -> SyncSummary:
    async with runtime.client() as client:
        try:
            await OutboxPusher(client, runtime.cache).push_ready()
            return await SyncEngine(client, runtime.cache, on_progress=show_progress).run_once()
        finally:
            record_notices(runtime.cache, client.take_notices())


def _line(update: LiveUpdate) -> str:
    return ("! " if update.error else "  ") + update.text


@click.group(invoke_without_command=True)
@click.pass_context
@one_line_errors
def outbox(ctx: click.Context) -> None:
    """List actions waiting for the store and those it rejected."""
    if ctx.invoked_subcommand is not None:
        return
    with started_runtime() as runtime, runtime.cache.reads() as session:
        actions = session.exec(
            select(OutboxAction)
            .where(col(OutboxAction.state).in_((*OUTBOX_WAITING, OutboxState.FAILED)))
            .order_by(col(OutboxAction.id))
        ).all()
        names = location_names(session)
    if not actions:
        click.echo("outbox empty: the store has every action")
        return
    for action in actions:
        error = f"  ({visible(action.last_error)})" if action.last_error else ""  # the store's words
        what = f"{action.state:<8} {action.kind:<13} {visible(about(action, names) or action.order_id)}"
        click.echo(f"{action.id:>6}  {what}  tries {action.attempts}{error}")


PUSH_TIMEOUT = 180.0  # seconds `outbox push` waits for the store at most, by default
timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(1, 3600),
    default=PUSH_TIMEOUT,
    show_default=True,
    help="Stop after this many seconds; what is left waits for the next push or sync.",
)


@outbox.command("retry")
@click.argument("action_ids", nargs=-1, type=click.IntRange(1, 2**63 - 1))
@timeout_option
@one_line_errors
def outbox_retry(action_ids: tuple[int, ...], timeout: float) -> None:
    """Send now what waits for a retry; rejected (failed) actions only when named by id."""
    with started_runtime() as runtime:
        with runtime.cache.sessions() as session:
            query = select(OutboxAction)
            if action_ids:
                query = query.where(col(OutboxAction.id).in_(action_ids))
                query = query.where(col(OutboxAction.state).in_((*OUTBOX_WAITING, OutboxState.FAILED)))
            else:  # waiting with a backoff; what the store rejected needs a person's decision
                query = query.where(col(OutboxAction.state).in_(OUTBOX_WAITING))
                query = query.where(col(OutboxAction.next_attempt_at).is_not(None))
            actions = session.exec(query).all()
            unknown = sorted(set(action_ids) - {action.id for action in actions})
            if unknown:
                raise click.ClickException(f"no waiting or failed action {', '.join(map(str, unknown))}")
            for action in actions:
                if action.state == OutboxState.FAILED:
                    action.state = OutboxState.PENDING
                    record(
                        session,
                        station=runtime.settings.station,
                        action="outbox.retry",
                        subject=f"outbox:{action.id}",
                        kind=action.kind,
                        order_id=action.order_id,
                    )
                action.next_attempt_at = None
            session.commit()
        _push_holding_the_lock(runtime, timeout)


@outbox.command("push")
@timeout_option
@one_line_errors
def outbox_push(timeout: float) -> None:
    """Send the actions that are due now (one station at a time: the one holding the sync lock).

    Says on stderr what it is sending or checking; exits non-zero when anything is left unsent.
    """
    with started_runtime() as runtime:
        _push_holding_the_lock(runtime, timeout)


def _push_holding_the_lock(runtime: Runtime, timeout: float) -> None:
    try:
        pushed = asyncio.run(_push(runtime, timeout))  # the pusher takes the sync lock itself
    except SyncBusy as exc:
        raise click.ClickException(f"{exc}: it sends the outbox, nothing was sent from here") from None
    except StoreAuthError as exc:
        raise click.ClickException(str(exc)) from None
    problem = f" ({pushed.errors[-1]})" if pushed.errors else ""
    click.echo(f"sent {pushed.done}, rejected {pushed.failed}, still waiting {pushed.waiting}{problem}")
    if pushed.waiting or pushed.failed:
        raise SystemExit(1)


async def _push(runtime: Runtime, timeout: float) -> PushSummary:
    """Push for at most `timeout` seconds. Stopping mid-request is safe: an action already marked
    `sending` is checked at the store before it is ever sent again."""
    async with runtime.client() as client:
        pusher = OutboxPusher(client, runtime.cache, report=lambda text: click.echo(f"  {text}", err=True))
        try:
            async with asyncio.timeout(timeout):
                return await pusher.push_ready()
        except TimeoutError:
            summary = PushSummary(waiting=pusher.waiting())
            summary.errors.append(f"stopped after {timeout:g}s: the store did not answer in time")
            return summary


@outbox.command("discard")
@click.argument("action_id", type=click.IntRange(1, 2**63 - 1))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@one_line_errors
def outbox_discard(action_id: int, yes: bool) -> None:
    """Give up on one action: the store will never get it (the local change stays)."""
    with started_runtime() as runtime, runtime.cache.sessions() as session:
        action = session.get(OutboxAction, action_id)
        if action is None or action.state in (OutboxState.DONE, OutboxState.DISCARDED):
            raise click.ClickException(f"no waiting or failed action {action_id}")
        if not yes:
            what = visible(about(action, location_names(session)) or action.order_id)
            click.confirm(f"Discard {action.kind} for {what}? The store will never get it", abort=True)
        action.state = OutboxState.DISCARDED
        record(
            session,
            station=runtime.settings.station,
            action="outbox.discard",
            subject=f"outbox:{action_id}",
            kind=action.kind,
            order_id=action.order_id,
        )
        session.commit()
        click.echo(f"discarded action {action_id}")
