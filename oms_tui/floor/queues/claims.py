"""Claims: who works on which fulfillment order. A claim is a lease that the holder's station renews
(`heartbeat`) while they work; a crashed station stops renewing, its leases lapse and its work goes
back to the queue, where the next claimer takes it over.

Two stations never hold the same fulfillment order. Every claim first locks the fulfillment order's
row and only then looks for a live lease: on PostgreSQL with `SELECT ... FOR UPDATE` (`SKIP LOCKED`
for the next work, so claimers pass each other by instead of queueing), on SQLite inside the write
transaction every write session begins with (BEGIN IMMEDIATE, see `cache/engine.py`). The lease is
then written by an upsert that replaces a row only while its lease has lapsed (or, for a manager's
take-over, whatever it holds).

Everything happens in the caller's transaction, which should commit at once (it holds the locks). A
refusal (`ClaimRefused`, `NotPermitted`, `StaffError`) changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from oms_tui.actions.permissions import Permission, require
from oms_tui.cache.change_signal import QUIET
from oms_tui.cache.models import Claim, FulfillmentOrder, FulfillmentOrderLineItem, Order, Staff
from oms_tui.cache.priority import RUSH
from oms_tui.floor.actions.actor import Actor
from oms_tui.floor.actions.audit import record
from oms_tui.floor.actions.staff import active_staff
from oms_tui.floor.queues.no_shipping import ships
from oms_tui.floor.queues.queue_filters import QueueFilter
from oms_tui.floor.queues.queues import window_query
from oms_tui.floor.queues.stages import OPEN, Stage


class ClaimRefused(ValueError):
    """The fulfillment order cannot be claimed or released by this person (nothing was changed)."""


@dataclass(frozen=True)
class Wave:
    """Which work `claim_next` takes: every condition given must hold."""

    single_item: bool = False  # one unit left to ship (of the lines that ship)
    rush: bool = False  # rush orders (tagged rush, express, ...: priority.RUSH_TAGS)
    location_id: str | None = None  # shipped from this location
    shipping_method: str | None = None  # the order's shipping method, any case: "UPS Ground"

    @property
    def queue_filter(self) -> QueueFilter:
        return QueueFilter(location_id=self.location_id)

    def conditions(self) -> list[Any]:
        """What the queue's own filter does not say."""
        conditions: list[Any] = []
        if self.single_item:
            units = (
                select(func.coalesce(func.sum(FulfillmentOrderLineItem.remaining_quantity), 0))
                .where(FulfillmentOrderLineItem.fulfillment_order_id == FulfillmentOrder.id, ships())
                .correlate(FulfillmentOrder)
                .scalar_subquery()
            )
            conditions.append(units == 1)
        if self.rush:
            conditions.append(col(Order.priority) == RUSH)
        if self.shipping_method:
            conditions.append(func.lower(Order.shipping_method) == self.shipping_method.strip().lower())
        return conditions


@dataclass(frozen=True)
class _Target:
    """A fulfillment order, locked, with what a claim of it needs to know."""

    id: str
    order_name: str
    status: str
    cancelled: bool


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


@dataclass(frozen=True)
class _Lease:
    """Who held a claim row when it was read (the row itself may change under the session)."""

    staff_code: str
    station: str
    lease_until: datetime

    def lapsed(self, now: datetime) -> bool:
        return self.lease_until <= now

    def __str__(self) -> str:
        return f"{self.staff_code} at {self.station} until {self.lease_until.astimezone():%H:%M}"


def _lock(session: Session, fulfillment_order_id: str) -> _Target:
    """Lock one fulfillment order's row, waiting for another claimer of it to finish."""
    found = session.exec(
        select(FulfillmentOrder.id, Order.name, FulfillmentOrder.status, Order.cancelled_at)
        .join(Order, col(Order.id) == FulfillmentOrder.order_id)
        .where(FulfillmentOrder.id == fulfillment_order_id)
        .with_for_update(of=FulfillmentOrder)
    ).first()
    if found is None:
        raise ClaimRefused(f"no fulfillment order {fulfillment_order_id} in the cache")
    ident, name, status, cancelled_at = found
    return _Target(ident, name, status, cancelled_at is not None)


def _leases(session: Session, ids: Sequence[str]) -> dict[str, _Lease]:
    """Who holds (or held: lapsed leases too) these fulfillment orders."""
    rows = session.exec(
        select(Claim.fulfillment_order_id, Claim.staff_code, Claim.station, Claim.lease_until).where(
            col(Claim.fulfillment_order_id).in_(ids)
        )
    )
    return {ident: _Lease(staff, station, until) for ident, staff, station, until in rows}


def _write(
    session: Session,
    ids: Sequence[str],
    staff_code: str,
    station: str,
    now: datetime,
    lease: timedelta,
    *,
    replace: Any,
) -> dict[str, Claim]:
    """Insert or replace the claims of `ids`; an existing row is replaced only where `replace` holds
    of it (as it is now, not as it was read). Returns the claims written, by fulfillment order."""
    if not ids:
        return {}
    insert = (postgresql.insert if _postgres(session) else sqlite.insert)(Claim)
    values = [
        {
            "fulfillment_order_id": ident,
            "staff_code": staff_code,
            "station": station,
            "since": now,
            "lease_until": now + lease,
        }
        for ident in ids
    ]
    new = insert.excluded
    statement = insert.values(values).on_conflict_do_update(
        index_elements=["fulfillment_order_id"],
        set_={name: new[name] for name in ("staff_code", "station", "since", "lease_until")},
        where=replace,
    )
    written = session.scalars(statement.returning(Claim), execution_options={"populate_existing": True})
    return {claim.fulfillment_order_id: claim for claim in written}


def _lapsed(now: datetime) -> Any:
    return col(Claim.lease_until) <= now


def _order_names(session: Session, ids: Sequence[str]) -> dict[str, str]:
    rows = session.exec(
        select(FulfillmentOrder.id, Order.name)
        .join(Order, col(Order.id) == FulfillmentOrder.order_id)
        .where(col(FulfillmentOrder.id).in_(ids))
    )
    return dict(rows.all())


def _record_claim(session: Session, claim: Claim, order: str, previous: _Lease | None, now: datetime) -> None:
    """`claim.take` for free work, `claim.take_over` when someone's lease (lapsed or not) was replaced."""
    details: dict[str, Any] = {"order": order, "lease_until": claim.lease_until.isoformat()}
    if previous is not None:
        details |= {
            "from_staff": previous.staff_code,
            "from_station": previous.station,
            "lapsed": previous.lapsed(now),
        }
    record(
        session,
        station=claim.station,
        action="claim.take_over" if previous is not None else "claim.take",
        staff_code=claim.staff_code,
        subject=claim.fulfillment_order_id,
        **details,
    )


# --- the API -------------------------------------------------------------------------------------


def claim_next(
    session: Session,
    *,
    staff_code: str,
    station: str,
    now: datetime,
    lease: timedelta,
    count: int = 1,
    wave: Wave | None = None,
    skip: Collection[str] = (),
) -> list[Claim]:
    """Claim up to `count` of the next ready-to-pick fulfillment orders (the queue's order: priority,
    then the order's age), within `wave` if given, passing by `skip`; fewer if the queue holds fewer.
    A lapsed lease is taken over; work another station is claiming at this moment is passed by."""
    staff_code = active_staff(session, staff_code).code
    wave = wave or Wave()

    def queue() -> Any:  # the ready-to-pick queue within the wave, in its order
        ready = window_query(session, Stage.READY_TO_PICK, wave.queue_filter, now)
        return ready.where(*wave.conditions())

    taken: list[Claim] = []
    tried: set[str] = set(skip)
    while len(taken) < count:
        # Lock the first free candidates (PostgreSQL skips rows another claimer has locked)...
        first = queue().where(col(FulfillmentOrder.id).not_in(tried)) if tried else queue()
        candidates: dict[str, str] = dict(
            session.execute(  # not exec: it would keep the first column only
                first.add_columns(col(Order.name))
                .limit(count - len(taken))
                .with_for_update(skip_locked=True, of=FulfillmentOrder)
            ).all()
        )
        if not candidates:
            break
        tried.update(candidates)
        # ... then look again, now that no one else can claim them: a claimer that held one of them
        # when the first look began may have committed its claim since (READ COMMITTED).
        still = set(session.exec(queue().where(col(FulfillmentOrder.id).in_(candidates))))
        free = [ident for ident in candidates if ident in still]
        previous = _leases(session, free)  # lapsed leases, taken over below
        won = _write(session, free, staff_code, station, now, lease, replace=_lapsed(now))
        for ident in free:
            if ident in won:
                taken.append(won[ident])
                _record_claim(session, won[ident], candidates[ident], previous.get(ident), now)
    return taken


def claim(
    session: Session,
    fulfillment_order_id: str,
    *,
    staff_code: str,
    station: str,
    now: datetime,
    lease: timedelta,
    take_over: bool = False,
) -> Claim:
    """Claim a chosen fulfillment order (renewing the lease if this person holds it here already, moving
    it here if they hold it at another station: work a manager handed them waits at the manager's).

    Refused while someone else holds a live lease on it, unless `take_over` and a manager asks."""
    staff = active_staff(session, staff_code)
    target = _lock(session, fulfillment_order_id)
    if target.cancelled or target.status not in OPEN:
        state = "cancelled" if target.cancelled else target.status.replace("_", " ").lower()
        raise ClaimRefused(f"{target.order_name} is {state}: there is no work to claim")
    previous = _leases(session, [target.id]).get(target.id)
    live = previous is not None and not previous.lapsed(now)
    mine = previous is not None and (previous.staff_code, previous.station) == (staff.code, station)
    theirs = previous is not None and previous.staff_code == staff.code
    if live and not theirs:
        if not take_over:
            raise ClaimRefused(f"{target.order_name} is held by {previous}")
        require(staff, Permission.TAKE_OVER)
    if live and mine:  # renewed, not a new claim
        heartbeat(session, staff_code=staff.code, station=station, now=now, lease=lease, only=target.id)
        renewed = session.get(Claim, target.id, populate_existing=True)
        assert renewed is not None  # locked and held by this person
        return renewed
    written = _write(session, [target.id], staff.code, station, now, lease, replace=true())[target.id]
    _record_claim(session, written, target.order_name, previous, now)
    return written


def heartbeat(
    session: Session,
    *,
    staff_code: str,
    station: str,
    now: datetime,
    lease: timedelta,
    only: str | None = None,
) -> int:
    """Renew the live leases this person holds at this station (`only` one of them); returns how
    many. A lapsed lease is not revived: another station may have taken the work over.

    A claim another transaction is changing right now (the same person's completed pick list giving
    its claims back, one by one) is passed by, not waited for: that transaction decides it, and a
    heartbeat that waited there, holding the claims it renewed already, could deadlock with it."""
    mine = [
        col(Claim.staff_code) == staff_code.strip().upper(),
        col(Claim.station) == station,
        col(Claim.lease_until) > now,
    ]
    if only is not None:
        mine.append(col(Claim.fulfillment_order_id) == only)
    free = select(Claim.fulfillment_order_id).where(*mine).with_for_update(skip_locked=True)
    renew = (
        update(Claim)
        .where(col(Claim.fulfillment_order_id).in_(free))
        .values(lease_until=now + lease)
        .execution_options(**{QUIET: True})  # who holds what is unchanged: nobody is told
    )
    result = session.execute(renew)
    return int(result.rowcount)  # type: ignore[attr-defined]


def release(session: Session, fulfillment_order_id: str, *, staff_code: str, station: str) -> None:
    """Give a claim back (the work returns to the queue); only its holder, at its station, may."""
    staff_code = staff_code.strip().upper()
    name = _order_names(session, [fulfillment_order_id]).get(fulfillment_order_id, fulfillment_order_id)
    current = _leases(session, [fulfillment_order_id]).get(fulfillment_order_id)
    if current is None:
        raise ClaimRefused(f"{name} is not claimed")
    deleted = session.execute(
        Claim.__table__.delete().where(  # type: ignore[attr-defined]
            col(Claim.fulfillment_order_id) == fulfillment_order_id,
            col(Claim.staff_code) == staff_code,
            col(Claim.station) == station,
        )
    )
    if not deleted.rowcount:  # type: ignore[attr-defined]
        raise ClaimRefused(f"{name} is held by {current}, not by {staff_code} at {station}")
    if (gone := session.get(Claim, fulfillment_order_id)) is not None:
        session.expunge(gone)  # deleted above, behind the session's back
    record(
        session,
        station=station,
        action="claim.release",
        staff_code=staff_code,
        subject=fulfillment_order_id,
        order=name,
    )


def release_mine(session: Session, ids: Sequence[str], *, staff_code: str, station: str) -> list[str]:
    """Give back whichever of these claims this person holds at this station (a lapsed lease too,
    while nobody has taken it over); others' claims are left alone. Returns those given back."""
    me = (staff_code.strip().upper(), station)
    held = [
        ident for ident, lease in _leases(session, ids).items() if (lease.staff_code, lease.station) == me
    ]
    for ident in sorted(held):
        release(session, ident, staff_code=staff_code, station=station)
    return held


def reassign(
    session: Session, fulfillment_order_id: str, *, to_staff: str, by: Actor, now: datetime, lease: timedelta
) -> Claim:
    """A manager hands a fulfillment order to someone else, whoever holds it now.

    The claim goes to the station where they hold live claims (their station renews it), else to the
    manager's: if they never pick it up there, it lapses back to the queue like any lease."""
    manager = session.get(Staff, by.staff_code) if by.staff_code else None
    require(manager, Permission.REASSIGN)
    person = active_staff(session, to_staff)
    target = _lock(session, fulfillment_order_id)
    if target.cancelled or target.status not in OPEN:
        state = "cancelled" if target.cancelled else target.status.replace("_", " ").lower()
        raise ClaimRefused(f"{target.order_name} is {state}: there is no work to reassign")
    station = (
        session.exec(
            select(Claim.station)
            .where(col(Claim.staff_code) == person.code, col(Claim.lease_until) > now)
            .order_by(col(Claim.since).desc())
            .limit(1)
        ).first()
        or by.station
    )
    previous = _leases(session, [target.id]).get(target.id)
    if previous is not None and previous.lapsed(now):
        previous = None  # nobody holds it
    written = _write(session, [target.id], person.code, station, now, lease, replace=true())[target.id]
    record(
        session,
        station=by.station,
        action="claim.reassign",
        staff_code=by.staff_code,
        subject=target.id,
        order=target.order_name,
        to_staff=person.code,
        to_station=station,
        from_staff=previous.staff_code if previous else None,
        from_station=previous.station if previous else None,
        lease_until=(now + lease).isoformat(),
    )
    return written


def holder(session: Session, fulfillment_order_id: str, now: datetime) -> Claim | None:
    """The live claim on this fulfillment order, if any."""
    return session.exec(
        select(Claim)
        .where(col(Claim.fulfillment_order_id) == fulfillment_order_id, col(Claim.lease_until) > now)
        .execution_options(populate_existing=True)
    ).first()


def claims_mark(session: Session, now: datetime) -> tuple[int, datetime | None]:
    """Changes whenever who holds what changes (a claim, release, take-over, reassignment or a lapse):
    screens poll it to show other stations' claims."""
    live, newest = session.exec(
        select(func.count(), func.max(Claim.since)).where(col(Claim.lease_until) > now)
    ).one()
    return int(live), newest
