"""The outbox pusher: delivers queued floor actions to the store, in order per order, exactly once.

An action is marked `sending` (and its attempt counted) before it goes out. Any action found in
`sending` again (a timeout after sending, a dropped connection, a killed process) has an unknown
outcome: the pusher re-reads the store and only sends again if the action is not there. Holds also
carry a `handle` the store refuses to repeat. The store's `userErrors` end the action as `failed` with
an exception for a person to resolve; while the store is unreachable actions wait, with backoff.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlmodel import col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import FloorException, OutboxAction
from oms_tui.cache.sync_state import OUTBOX_WAITING, pending_outbox
from oms_tui.cache.types import utcnow
from oms_tui.store.errors import (
    AmbiguousResult,
    StoreAuthError,
    StoreError,
    StoreQueryError,
    StoreUnavailable,
)
from oms_tui.store.outbox_requests import REQUESTS, already_applied, read_nodes, refresh_ids
from oms_tui.store.payloads import FulfillmentOrderNode, OrderNode
from oms_tui.store.sync import Client
from oms_tui.store.sync_writes import write_fulfillment_orders, write_orders

MAX_BACKOFF = timedelta(minutes=5)


@dataclass
class PushSummary:
    done: int = 0
    failed: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)


class OutboxPusher:
    def __init__(self, client: Client, cache: Cache, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.client, self.cache, self.clock = client, cache, clock

    async def push_ready(self) -> PushSummary:
        """Deliver every action that is due now; stops early while the store is unreachable."""
        summary = PushSummary()
        while ready := self._ready():
            for action_id in ready:
                try:
                    outcome = await self._deliver(action_id)
                except StoreUnavailable as exc:
                    # The store is not answering: the rest waits for a later round.
                    summary.errors.append(str(exc))
                    summary.waiting = self._waiting()
                    return summary
                if outcome == "done":
                    summary.done += 1
                elif outcome == "failed":
                    summary.failed += 1
                else:
                    summary.errors.append(outcome)
        summary.waiting = self._waiting()
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
        with self.cache.sessions() as session:
            action = session.get_one(OutboxAction, action_id)
            uncertain = action.state == "sending"
            action.state, action.attempts, action.updated_at = "sending", action.attempts + 1, self.clock()
            session.commit()
        try:
            if uncertain and await already_applied(self.client, action):
                outcome = self._finish(action_id, {"verified": "already applied at the store"})
                await self._refresh(action)
                return outcome
            document, variables, result_path = REQUESTS[action.kind](action.payload)
            data = await self.client.execute(document, variables)
        except StoreAuthError:
            self._retry_later(action_id, "the store refused the token", ambiguous=False)
            raise
        except AmbiguousResult as exc:
            return self._retry_later(action_id, str(exc), ambiguous=True)
        except StoreQueryError as exc:
            return self._fail(action_id, f"the store rejected the request: {exc}")
        except StoreUnavailable as exc:
            self._retry_later(action_id, str(exc), ambiguous=True)
            raise
        result = data.get(result_path) or {}
        errors = result.get("userErrors") or result.get("orderCancelUserErrors") or []
        if errors and not _is_duplicate_of_applied(errors):
            outcome = self._fail(action_id, "; ".join(error.get("message", "") for error in errors))
        else:
            outcome = self._finish(action_id, result)
        await self._refresh(action)  # either way, the cache now takes the store's copy again
        return outcome

    async def _refresh(self, action: OutboxAction) -> None:
        """Re-read what the action changed, by id: search results lag behind writes."""
        order_ids, fo_ids = refresh_ids(action)
        try:
            orders = [
                OrderNode.model_validate(node)
                for node in await read_nodes(self.client, "nodes_orders", order_ids)
            ]
            fos = [
                FulfillmentOrderNode.model_validate(node)
                for node in await read_nodes(self.client, "nodes_fulfillment_orders", fo_ids)
            ]
        except (StoreError, ValidationError):
            return  # the next sync pass reads the same objects (and reports them if malformed)
        now = self.clock()
        with self.cache.sessions() as session:
            write_orders(session, orders, {}, now)
            write_fulfillment_orders(session, fos, {}, now)
            session.commit()

    def _finish(self, action_id: int, result: dict[str, Any]) -> str:
        with self.cache.sessions() as session:
            action = session.get_one(OutboxAction, action_id)
            action.state, action.result, action.last_error = "done", result, None
            action.updated_at = self.clock()
            session.commit()
        return "done"

    def _fail(self, action_id: int, message: str) -> str:
        with self.cache.sessions() as session:
            action = session.get_one(OutboxAction, action_id)
            action.state, action.last_error, action.updated_at = "failed", message, self.clock()
            session.add(
                FloorException(
                    kind="store_rejected",
                    severity="critical",
                    order_id=action.order_id,
                    subject=f"outbox:{action.id}",
                    message=f"{action.kind} was rejected by the store: {message}",
                )
            )
            session.commit()
        return "failed"

    def _retry_later(self, action_id: int, message: str, *, ambiguous: bool) -> str:
        with self.cache.sessions() as session:
            action = session.get_one(OutboxAction, action_id)
            # "sending" means the store may have it: the next attempt checks before sending again.
            action.state = "sending" if ambiguous else "pending"
            action.last_error = message
            delay = min(MAX_BACKOFF.total_seconds(), 2 ** min(action.attempts, 10))
            action.next_attempt_at = self.clock() + timedelta(seconds=delay * random.uniform(0.5, 1.0))
            action.updated_at = self.clock()
            session.commit()
        return message


def _is_duplicate_of_applied(errors: list[dict[str, Any]]) -> bool:
    """A hold whose handle the store already has was delivered by an earlier attempt."""
    return all(error.get("code") == "DUPLICATE_FULFILLMENT_HOLD_HANDLE" for error in errors)
