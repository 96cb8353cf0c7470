"""`oms-tui sync` and `oms-tui outbox`: the store side of the floor, from a shell."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlmodel import col, select

from oms_tui.cache.models import OutboxAction
from oms_tui.cache.sync_state import OUTBOX_WAITING
from oms_tui.cli_errors import load_settings, one_line_errors
from oms_tui.floor.audit import record
from oms_tui.runtime import LiveUpdate, Runtime
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
    seen = counts.created + counts.updated + counts.unchanged
    click.echo(
        f"\r  {stream:<20} {seen:>8} read  ({counts.created} new, {counts.updated} changed)",
        nl=False,
        err=True,
    )


def print_summary(summary: SyncSummary) -> None:
    click.echo("", err=True)
    click.echo(f"{'stream':<20} {'created':>8} {'updated':>8} {'unchanged':>10} {'errors':>7}")
    for stream, counts in summary.streams.items():
        numbers = f"{counts.created:>8} {counts.updated:>8} {counts.unchanged:>10} {len(counts.errors):>7}"
        click.echo(f"{stream:<20} {numbers}")
    click.echo(f"done in {summary.seconds:.1f}s")
    for error in summary.errors:
        click.echo(f"error: {error}", err=True)


@click.command()
@click.option("--watch", is_flag=True, help="Keep polling every poll_interval seconds (Ctrl-C stops).")
@one_line_errors
def sync(watch: bool) -> None:
    """Bring the local cache up to date with the store and push waiting actions."""
    with started_runtime() as runtime:
        if watch:
            stop = threading.Event()
            try:
                asyncio.run(runtime.live_loop(lambda update: click.echo(_line(update)), stop))
            except KeyboardInterrupt:
                stop.set()
            return
        try:
            summary = asyncio.run(_sync_once(runtime))
        except SyncBusy as exc:
            raise click.ClickException(f"{exc}; try again when it is done") from None
        except (StoreError, LeaseLost) as exc:
            raise click.ClickException(f"sync stopped: {exc}") from None
        print_summary(summary)
        if summary.errors:
            raise SystemExit(1)


async def _sync_once(runtime: Runtime) -> SyncSummary:
    async with runtime.client() as client:
        await OutboxPusher(client, runtime.cache).push_ready()
        return await SyncEngine(client, runtime.cache, on_progress=show_progress).run_once()


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
            .where(col(OutboxAction.state).in_((*OUTBOX_WAITING, "failed")))
            .order_by(col(OutboxAction.id))
        ).all()
    if not actions:
        click.echo("outbox empty: the store has every action")
        return
    for action in actions:
        error = f"  ({action.last_error})" if action.last_error else ""
        what = f"{action.state:<8} {action.kind:<13} {action.order_id}"
        click.echo(f"{action.id:>6}  {what}  tries {action.attempts}{error}")


@outbox.command("retry")
@click.argument("action_ids", nargs=-1, type=int)
@one_line_errors
def outbox_retry(action_ids: tuple[int, ...]) -> None:
    """Send failed actions (all, or the given ids) again now."""
    with started_runtime() as runtime:
        with runtime.cache.sessions() as session:
            query = select(OutboxAction).where(col(OutboxAction.state).in_((*OUTBOX_WAITING, "failed")))
            if action_ids:
                query = query.where(col(OutboxAction.id).in_(action_ids))
            actions = session.exec(query).all()
            for action in actions:
                action.state = "sending" if action.state == "sending" else "pending"
                action.next_attempt_at = None
            session.commit()
        try:
            pushed = asyncio.run(_push(runtime))
        except StoreAuthError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"sent {pushed.done}, rejected {pushed.failed}, still waiting {pushed.waiting}")


async def _push(runtime: Runtime) -> PushSummary:
    async with runtime.client() as client:
        return await OutboxPusher(client, runtime.cache).push_ready()


@outbox.command("discard")
@click.argument("action_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@one_line_errors
def outbox_discard(action_id: int, yes: bool) -> None:
    """Give up on one action: the store will never get it (the local change stays)."""
    with started_runtime() as runtime, runtime.cache.sessions() as session:
        action = session.get(OutboxAction, action_id)
        if action is None or action.state in ("done", "discarded"):
            raise click.ClickException(f"no waiting or failed action {action_id}")
        if not yes:
            click.confirm(
                f"Discard {action.kind} for {action.order_id}? The store will never get it", abort=True
            )
        action.state = "discarded"
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
