"""The outbox pusher: delivers queued floor actions to the store, in order per order, exactly once.

An action is marked `sending` (and its attempt counted) before it goes out. Any action found in
`sending` again (a timeout after sending, a dropped connection, a killed process) has an unknown
outcome: the pusher runs its kind's evidence check and only sends again if the action is not there.
The store's `userErrors` end the action as `failed` with an exception for a person to resolve; while
the store is unreachable actions wait, with backoff. What each kind sends and checks is its declaration
(`oms_tui.actions`); a declaration's `target` says where it goes: the store (GraphQL through the store
client) or the carrier service (labels, through the `Carrier` given to the pusher), with the same rule.
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
from sqlmodel import Session, col, select

from oms_tui.actions.base import ActionType, Declaration, Outcome, Target, Verdict
from oms_tui.actions.carrier_action import CarrierActionType
from oms_tui.actions.registry import about, declaration, location_names
from oms_tui.cache.database import Cache
from oms_tui.cache.enums import OUTBOX_WAITING, ExceptionKind, ExceptionState, OutboxState
from oms_tui.cache.models import FloorException, Order, OutboxAction
from oms_tui.cache.sync_state import pending_outbox
from oms_tui.cache.types import utcnow
from oms_tui.carriers.base import (
    Carrier,
    CarrierAuthError,
    CarrierBusy,
    CarrierError,
    CarrierRejected,
    CarrierUnreachable,
)
from oms_tui.store.client import Client
from oms_tui.store.errors import (
    AmbiguousResult,
    StoreAuthError,
    StoreError,
    StoreQueryError,
    StoreUnavailable,
)
from oms_tui.store.reread import note_for_reread, read_held_back
from oms_tui.store.sync_lock import Lease, sync_lock

MAX_BACKOFF = timedelta(minutes=5)
# How long an action a station delivers itself (`deliver_now`) is left alone by the pushers: longer than
# any carrier call takes, so nobody checks it while its answer is still on the way.
IN_FLIGHT = timedelta(minutes=2)


@dataclass
class PushSummary:
    done: int = 0
    failed: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)


class OutboxPusher:
    def __init__(
        self,
        client: Client | None,
        cache: Cache,
        *,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        report: Callable[[str], None] = lambda _: None,
        carrier: Carrier | None = None,
    ) -> None:
        """`report`: told what is being sent or checked now (a person waiting wants to know);
        `carrier`: where carrier kinds go (None: they wait, at a station with no label service);
        `client`: None for a pusher that delivers carrier actions only (`deliver_now`)."""
        self.client, self.cache, self.clock, self.sleep, self.report = client, cache, clock, sleep, report
        self.carrier = carrier

    async def push_ready(self) -> PushSummary:
        """Deliver every action that is due now; stops early while the store is unreachable.

        Only the station holding the cache's sync lock pushes (raises `SyncBusy` otherwise): two
        pushers could both find an action `sending` and both send it.
        """
        with sync_lock(self.cache.engine) as lease:
            summary = await self._push(PushSummary(), lease)
        summary.waiting = self.waiting()
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
            await read_held_back(self._store(), self.cache, self.clock())
        except (StoreError, ValidationError) as exc:
            summary.errors.append(f"reading held-back objects again: {exc}")
        return summary

    def _store(self) -> Client:
        if self.client is None:
            raise StoreUnavailable("this pusher has no store connection")
        return self.client

    def waiting(self) -> int:
        """Actions not yet known to be at the store."""
        with self.cache.sessions() as session:
            return pending_outbox(session)

    def _ready(self) -> list[int]:
        """The first waiting action of each order (and target), unless an earlier one failed."""
        now = self.clock()
        with self.cache.sessions() as session:
            rows = session.exec(
                select(OutboxAction)
                .where(col(OutboxAction.state).in_((*OUTBOX_WAITING, OutboxState.FAILED)))
                .order_by(col(OutboxAction.id))
            ).all()
        # In order per order and target: a label waits for no store action, nor a store action for a label
        first: dict[tuple[str, str], OutboxAction] = {}
        for action in rows:
            first.setdefault((action.order_id, _target(action.kind)), action)
        return [
            action.id
            for action in first.values()
            if action.id is not None
            and action.state in OUTBOX_WAITING
            and (action.next_attempt_at is None or action.next_attempt_at <= now)
        ]

    async def deliver_now(self, action_id: int) -> str:
        """Deliver one carrier action at once, without the sync lock (a pack station waiting for its
        label does not wait for the pusher's round): when it is still pending and the first waiting
        carrier action of its order (store actions, which may wait for the store, do not hold it).
        The carrier buys a shipment once and refunds it once, and the claim below keeps the pushers
        off it while it is in flight. Returns "done", "failed", "" (not this station's to send now)
        or why it waits."""
        with self.cache.sessions() as session:
            action = session.get(OutboxAction, action_id)
            if action is None or action.state != OutboxState.PENDING:
                return ""
            try:
                if not isinstance(declaration(action.kind), CarrierActionType):
                    return ""
            except ValueError:
                return ""
            earlier = session.exec(
                select(OutboxAction.kind).where(
                    OutboxAction.order_id == action.order_id,
                    col(OutboxAction.id) < action_id,
                    col(OutboxAction.state).in_((*OUTBOX_WAITING, OutboxState.FAILED)),
                )
            ).all()
        if any(_target(kind) == Target.CARRIER for kind in earlier):
            return ""
        return await self._deliver(action_id, hold=IN_FLIGHT)

    async def _deliver(self, action_id: int, hold: timedelta | None = None) -> str:
        claimed = self._claim(action_id, hold)
        if claimed is None:
            return ""  # taken by another pusher meanwhile
        action, uncertain = claimed
        try:
            declared = declaration(action.kind)
            payload = declared.read(action.payload)
        except (ValueError, ValidationError) as exc:  # not an action this version can send
            return self._fail(action_id, f"the recorded action cannot be read: {str(exc).splitlines()[0]}")
        what = f"the {declared.label} of action {action_id} ({self._about(action, declared, payload)})"
        if isinstance(declared, CarrierActionType):
            return await self._deliver_to_carrier(action, declared, payload, uncertain, what)
        assert isinstance(declared, ActionType)
        try:
            if uncertain:
                self.report(f"checking whether the store has {what}")
                try:
                    verdict = await self._check(action, declared, payload)
                except (StoreQueryError, ValidationError) as exc:  # the check failed, not the action
                    why = f"could not check at the store whether it has the {declared.label}: {exc}"
                    return self._retry_later(action_id, why, ambiguous=True)
                if verdict.outcome != Outcome.ABSENT:
                    return self._settle(action_id, verdict)
            self.report(f"sending {what}")
            return await self._send(action, declared, payload)
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

    async def _deliver_to_carrier(
        self, action: OutboxAction, declared: CarrierActionType[Any], payload: Any, uncertain: bool, what: str
    ) -> str:
        assert action.id is not None
        if self.carrier is None:
            why = "no label service at this station: it waits for one that has"
            return self._retry_later(action.id, why, ambiguous=uncertain)
        carrier = self.carrier
        try:
            if uncertain:
                self.report(f"checking whether the carrier has {what}")
                verdict = await asyncio.to_thread(declared.look, carrier, payload)
                if verdict.outcome != Outcome.ABSENT:
                    return self._settle(action.id, verdict)
            self.report(f"sending {what}")
            try:
                result = await asyncio.to_thread(declared.send, carrier, payload)
            except CarrierRejected as exc:
                if not declared.duplicate_of_applied(exc.code):
                    return self._fail(action.id, str(exc))
                # an earlier attempt got through: what the carrier did is read back, never assumed
                return self._settle(action.id, await asyncio.to_thread(declared.look, carrier, payload))
            return self._finish(action.id, result)
        except (CarrierBusy, CarrierAuthError) as exc:  # refused before anything was done
            return self._retry_later(action.id, str(exc), ambiguous=uncertain)
        except (CarrierUnreachable, CarrierError) as exc:  # maybe done: checked before any resend
            return self._retry_later(action.id, str(exc), ambiguous=True)

    async def _check(self, action: OutboxAction, declared: ActionType[Any], payload: Any) -> Verdict:
        with self.cache.sessions() as session:
            known = declared.known(session, action)
        return await declared.check(self._store(), action, payload, known, self.clock())

    async def _send(self, action: OutboxAction, declared: ActionType[Any], payload: Any) -> str:
        assert action.id is not None
        client = self._store()
        payload = await declared.prepare(client, payload)
        if payload is None:
            return self._finish(action.id, {"verified": "nothing left to send: the store has it"})
        request = declared.request(payload)
        data = await client.execute(request.document, request.variables)
        result = data.get(request.field) or {}
        errors = result.get(declared.user_errors) or []
        if errors and not declared.duplicate_of_applied(errors):
            return self._fail(action.id, "; ".join(error.get("message", "") for error in errors))
        verdict = await declared.delivered(client, action, payload, result, self.sleep, self.clock())
        return self._settle(action.id, verdict)

    def _settle(self, action_id: int, verdict: Verdict) -> str:
        if verdict.outcome == Outcome.APPLIED:
            return self._finish(action_id, verdict.result or {"verified": verdict.detail})
        if verdict.outcome == Outcome.IMPOSSIBLE:
            return self._fail(action_id, verdict.detail)
        return self._retry_later(action_id, verdict.detail, ambiguous=True, result=verdict.result)

    def _claim(self, action_id: int, hold: timedelta | None = None) -> tuple[OutboxAction, bool] | None:
        """Mark the action `sending`, one attempt more, unless another pusher changed it meanwhile
        (`hold`: and keep the pushers off it that long).

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
                    state=OutboxState.SENDING,
                    attempts=seen.attempts + 1,
                    updated_at=now,
                    first_sent_at=seen.first_sent_at or now,
                    next_attempt_at=now + hold if hold else seen.next_attempt_at,
                )
            )
            session.commit()
            if claimed.rowcount != 1:
                return None
            session.refresh(seen)
        return seen, was == OutboxState.SENDING

    def _finish(self, action_id: int, result: dict[str, Any]) -> str:
        with self.cache.sessions() as session:
            action = session.get_one(OutboxAction, action_id)
            action.state, action.result, action.last_error = OutboxState.DONE, result, None
            action.updated_at = self.clock()
            _reread(session, action)  # search lags behind writes: read by id
            if declared := _declared(action):
                declared.settled(session, action)
            for problem in session.exec(  # delivered after all (a retry): its rejection is over
                select(FloorException)
                .where(FloorException.subject == f"outbox:{action_id}")
                .where(FloorException.state != "resolved")
            ):
                problem.state, problem.resolution, problem.resolved_at = (
                    ExceptionState.RESOLVED,
                    "delivered",
                    self.clock(),
                )
            session.commit()
        return "done"

    def _fail(self, action_id: int, message: str) -> str:
        with self.cache.sessions() as session:
            action = session.get_one(OutboxAction, action_id)
            action.state, action.last_error, action.updated_at = OutboxState.FAILED, message, self.clock()
            _reread(session, action)  # the store's copy is the true one again
            declared = _declared(action)
            if declared:
                declared.rejected(session, action, message)
            who = declared.target if declared else "store"
            concerns = about(action, location_names(session))  # stock, a shipment: no order of its own
            # an order's only (a return's restock is queued under its order)
            of_order = concerns is None or session.get(Order, action.order_id) is not None
            subject, text = f"outbox:{action.id}", f"{action.kind} was rejected by the {who}: {message}"
            if concerns is not None:
                text = f"{concerns}: {text}"
            # One exception per action: when a retry is rejected again, the unresolved one is refreshed.
            problem = session.exec(
                select(FloorException)
                .where(FloorException.subject == subject)
                .where(FloorException.state != "resolved")
            ).first()
            if problem is None:
                problem = FloorException(
                    kind=ExceptionKind.STORE_REJECTED,
                    severity="critical",
                    order_id=action.order_id if of_order else None,
                    subject=subject,
                    message=text,
                )
            problem.state, problem.message = ExceptionState.OPEN, text
            session.add(problem)
            session.commit()
        return "failed"

    def _retry_later(
        self, action_id: int, message: str, *, ambiguous: bool, result: dict[str, Any] | None = None
    ) -> str:
        with self.cache.sessions() as session:
            action = session.get_one(OutboxAction, action_id)
            # "sending" means the store may have it: the next attempt checks before sending again.
            action.state = OutboxState.SENDING if ambiguous else OutboxState.PENDING
            action.last_error = message
            if result is not None:
                action.result = result
            delay = min(MAX_BACKOFF.total_seconds(), 2 ** min(action.attempts, 10))
            action.next_attempt_at = self.clock() + timedelta(seconds=delay * random.uniform(0.5, 1.0))
            action.updated_at = self.clock()
            session.commit()
        return message

    def _about(self, action: OutboxAction, declared: Declaration[Any], payload: Any) -> str:
        """What the pusher's report names: the order's number, or the stock or shipment in words."""
        if declared.about(payload, {}) is None:
            return f"order {action.order_id.rsplit('/', 1)[-1]}"
        with self.cache.sessions() as session:
            return declared.about(payload, location_names(session)) or action.order_id


def _reread(session: Session, action: OutboxAction) -> None:
    """Note the store objects the action changed, to be read again by id."""
    try:
        declared = declaration(action.kind)
        if not isinstance(declared, ActionType):
            return
        fo_ids = declared.fulfillment_orders(declared.read(action.payload))
    except (ValueError, ValidationError):
        declared, fo_ids = None, []
    if declared is not None and not declared.of_order:
        return  # stock: the next sync pass reads the item (its updatedAt moved)
    note_for_reread(session, action.order_id, fo_ids, returns=bool(declared and declared.returns))


def _target(kind: str) -> str:
    declared = _declared_kind(kind)
    return declared.target if declared else Target.STORE


def _declared_kind(kind: str) -> Declaration[Any] | None:
    try:
        return declaration(kind)
    except ValueError:  # a kind this version cannot read: nothing of its own to do in the cache
        return None


def _declared(action: OutboxAction) -> Declaration[Any] | None:
    return _declared_kind(action.kind)
