"""The outbox pusher: delivers queued floor actions to the store, in order per order, exactly once.

An action is marked `sending` (and its attempt counted) before it goes out. Any action found in
`sending` again (a timeout after sending, a dropped connection, a killed process) has an unknown
outcome: the pusher re-reads the store and only sends again if the action is not there. Holds also
carry a `handle` the store refuses to repeat. The store's `userErrors` end the action as `failed` with
an exception for a person to resolve; while the store is unreachable actions wait, with backoff.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import FloorException, FulfillmentOrderLineItem, OutboxAction
from oms_tui.cache.sync_state import OUTBOX_WAITING, pending_outbox
from oms_tui.cache.types import utcnow
from oms_tui.store.client import Client
from oms_tui.store.errors import (
    AmbiguousResult,
    StoreAuthError,
    StoreError,
    StoreQueryError,
    StoreUnavailable,
)
from oms_tui.store.outbox_checks import APPLIED, IMPOSSIBLE, PENDING, check, check_cancel
from oms_tui.store.outbox_requests import REQUESTS, RETURN_ACTIONS, holds_to_release, refresh_ids
from oms_tui.store.reread import note_for_reread, read_held_back
from oms_tui.store.return_checks import check_return_action, disposition_ids, new_dispositions
from oms_tui.store.sync_lock import Lease, sync_lock

MAX_BACKOFF = timedelta(minutes=5)
CANCEL_POLLS = (0.5, 1.0, 2.0)  # seconds between looks at a cancellation job, before moving on


@dataclass
class PushSummary:
    done: int = 0
    failed: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)


class OutboxPusher:
    def __init__(
        self,
        client: Client,
        cache: Cache,
        *,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client, self.cache, self.clock, self.sleep = client, cache, clock, sleep

    async def push_ready(self) -> PushSummary:
        """Deliver every action that is due now; stops early while the store is unreachable.

        Only the station holding the cache's sync lock pushes (raises `SyncBusy` otherwise): two
        pushers could both find an action `sending` and both send it.
        """
        with sync_lock(self.cache.engine) as lease:
            summary = await self._push(PushSummary(), lease)
        summary.waiting = self._waiting()
        return summary

    async def _push(self, summary: PushSummary, lease: Lease) -> PushSummary:
        while ready := self._ready():
            for action_id in ready:
                lease.check()  # stop at once when the lock was lost: another station may push now
                try:
                    outcome = await self._deliver(action_id)
                except StoreUnavailable as exc:
                    # The store is not answering: the rest waits for a later round.
                    summary.errors.append(str(exc))
                    return summary
                if outcome == "done":
                    summary.done += 1
                elif outcome == "failed":
                    summary.failed += 1
                elif outcome:
                    summary.errors.append(outcome)
        try:
            await read_held_back(self.client, self.cache, self.clock())
        except (StoreError, ValidationError) as exc:
            summary.errors.append(f"reading held-back objects again: {exc}")
        return summary

    def _waiting(self) -> int:
        with self.cache.sessions() as session:
            return pending_outbox(session)

    def _ready(self) -> list[int]:
        """The first waiting action of each order, unless an earlier one of that order failed."""
        now = self.clock()
        with self.cache.sessions() as session:
            rows = session.exec(
                select(OutboxAction)
                .where(col(OutboxAction.state).in_((*OUTBOX_WAITING, "failed")))
                .order_by(col(OutboxAction.id))
            ).all()
        first: dict[str, OutboxAction] = {}
        for action in rows:
            first.setdefault(action.order_id, action)
        return [
            action.id
            for action in first.values()
            if action.id is not None
            and action.state in OUTBOX_WAITING
            and (action.next_attempt_at is None or action.next_attempt_at <= now)
        ]

    async def _deliver(self, action_id: int) -> str:
        claimed = self._claim(action_id)
        if claimed is None:
            return ""  # taken by another pusher meanwhile
        action, uncertain = claimed
        try:
            if uncertain:
                checker = check_return_action if action.kind in RETURN_ACTIONS else check
                verdict = await checker(self.client, action, *self._known_shipments(action), self.clock())
                if verdict.state == APPLIED:
                    return self._finish(action_id, verdict.result or {"verified": verdict.detail})
                if verdict.state == IMPOSSIBLE:
                    return self._fail(action_id, verdict.detail)
                if verdict.state == PENDING:
                    return self._retry_later(action_id, verdict.detail, ambiguous=True, result=verdict.result)
            return await self._send(action)
        except StoreAuthError:
            # Refused before anything was done: an outcome that was unknown stays unknown.
            self._retry_later(action_id, "the store refused the token", ambiguous=uncertain)
            raise
        except AmbiguousResult as exc:
            return self._retry_later(action_id, str(exc), ambiguous=True)
        except StoreQueryError as exc:
            return self._fail(action_id, f"the store rejected the request: {exc}")
        except StoreUnavailable as exc:
            self._retry_later(action_id, str(exc), ambiguous=uncertain)
            raise

    async def _send(self, action: OutboxAction) -> str:
        assert action.id is not None
        payload = action.payload
        if action.kind == "release_hold":
            payload = {**payload, "holdIds": await holds_to_release(self.client, payload)}
            if not payload["holdIds"]:
                return self._finish(action.id, {"verified": "no such hold left"})
        document, variables, result_path = REQUESTS[action.kind](payload)
        data = await self.client.execute(document, variables)
        result = data.get(result_path) or {}
        errors = result.get("userErrors") or result.get("orderCancelUserErrors") or []
        if errors and not _is_duplicate_of_applied(errors):
            return self._fail(action.id, "; ".join(error.get("message", "") for error in errors))
        job = result.get("job") or {}
        if action.kind == "cancel" and not job.get("done", True):
            return await self._await_cancel(action, job["id"])
        if action.kind == "return_dispose":  # which dispositions are this action's, for later checks
            result = {**result, "dispositionIds": new_dispositions(result, action)}
        return self._finish(action.id, result)

    async def _await_cancel(self, action: OutboxAction, job_id: str) -> str:
        """`orderCancel` only starts a job: the action is done once the order is cancelled."""
        assert action.id is not None
        action.result = {"job": job_id}
        for delay in CANCEL_POLLS:
            await self.sleep(delay)
            verdict = await check_cancel(self.client, action, self.clock())
            if verdict.state == APPLIED:
                return self._finish(action.id, {"job": job_id, "verified": verdict.detail})
            if verdict.state == IMPOSSIBLE:
                return self._fail(action.id, verdict.detail)
        return self._retry_later(
            action.id, "the store is still cancelling the order", ambiguous=True, result=action.result
        )

    def _claim(self, action_id: int) -> tuple[OutboxAction, bool] | None:
        """Mark the action `sending`, one attempt more, unless another pusher changed it meanwhile.

        Returns it with whether an earlier attempt's outcome is unknown (it was `sending` already).
        """
        now = self.clock()
        with self.cache.sessions() as session:
            seen = session.get_one(OutboxAction, action_id)
            was = seen.state
            claimed = session.connection().execute(
                update(OutboxAction)
                .where(col(OutboxAction.id) == action_id)
                .where(col(OutboxAction.state) == was, col(OutboxAction.attempts) == seen.attempts)
                .where(col(OutboxAction.state).in_(OUTBOX_WAITING))
                .values(
                    state="sending",
                    attempts=seen.attempts + 1,
                    updated_at=now,
                    first_sent_at=seen.first_sent_at or now,
                )
            )
            session.commit()
            if claimed.rowcount != 1:
                return None
            session.refresh(seen)
        return seen, was == "sending"

    def _known_shipments(self, action: OutboxAction) -> tuple[dict[str, str], set[str]]:
        """Line item ids of the action's fulfillment order lines, and fulfillments (or, for a
        disposal, dispositions) other actions made."""
        with self.cache.sessions() as session:
            if action.kind == "return_dispose":
                return {}, disposition_ids(session, action)
            lines = {
                line.id: line.line_item_id
                for line in session.exec(
                    select(FulfillmentOrderLineItem).where(
                        FulfillmentOrderLineItem.fulfillment_order_id
                        == action.payload.get("fulfillmentOrderId")
                    )
                )
            }
            done = session.exec(
                select(OutboxAction.result).where(
                    OutboxAction.order_id == action.order_id,
                    OutboxAction.kind == "fulfill",
                    OutboxAction.state == "done",
                    OutboxAction.id != action.id,
                )
            ).all()
        taken = {((result or {}).get("fulfillment") or {}).get("id") for result in done}
        return lines, {ident for ident in taken if ident}

    def _finish(self, action_id: int, result: dict[str, Any]) -> str:
        with self.cache.sessions() as session:
            action = session.get_one(OutboxAction, action_id)
            action.state, action.result, action.last_error = "done", result, None
            action.updated_at = self.clock()
            # search lags behind writes: read by id
            note_for_reread(session, *refresh_ids(action), returns=action.kind in RETURN_ACTIONS)
            for problem in session.exec(  # delivered after all (a retry): its rejection is over
                select(FloorException)
                .where(FloorException.subject == f"outbox:{action_id}")
                .where(FloorException.state != "resolved")
            ):
                problem.state, problem.resolution, problem.resolved_at = "resolved", "delivered", self.clock()
            session.commit()
        return "done"

    def _fail(self, action_id: int, message: str) -> str:
        with self.cache.sessions() as session:
            action = session.get_one(OutboxAction, action_id)
            action.state, action.last_error, action.updated_at = "failed", message, self.clock()
            # the store's copy is the true one again
            note_for_reread(session, *refresh_ids(action), returns=action.kind in RETURN_ACTIONS)
            subject, text = f"outbox:{action.id}", f"{action.kind} was rejected by the store: {message}"
            # One exception per action: when a retry is rejected again, the unresolved one is refreshed.
            problem = session.exec(
                select(FloorException)
                .where(FloorException.subject == subject)
                .where(FloorException.state != "resolved")
            ).first()
            if problem is None:
                problem = FloorException(
                    kind="store_rejected",
                    severity="critical",
                    order_id=action.order_id,
                    subject=subject,
                    message=text,
                )
            problem.state, problem.message = "open", text
            session.add(problem)
            session.commit()
        return "failed"

    def _retry_later(
        self, action_id: int, message: str, *, ambiguous: bool, result: dict[str, Any] | None = None
    ) -> str:
        with self.cache.sessions() as session:
            action = session.get_one(OutboxAction, action_id)
            # "sending" means the store may have it: the next attempt checks before sending again.
            action.state = "sending" if ambiguous else "pending"
            action.last_error = message
            if result is not None:
                action.result = result
            delay = min(MAX_BACKOFF.total_seconds(), 2 ** min(action.attempts, 10))
            action.next_attempt_at = self.clock() + timedelta(seconds=delay * random.uniform(0.5, 1.0))
            action.updated_at = self.clock()
            session.commit()
        return message


def _is_duplicate_of_applied(errors: list[dict[str, Any]]) -> bool:
    """A hold whose handle the store already has was delivered by an earlier attempt."""
    return all(error.get("code") == "DUPLICATE_FULFILLMENT_HOLD_HANDLE" for error in errors)
