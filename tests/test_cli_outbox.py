"""`oms-tui outbox retry` and `outbox push`: what may be sent again, by whom, and one exception per action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from oms_tui.cache.database import open_cache
from oms_tui.cache.models import AuditEvent, FloorException, OutboxAction
from oms_tui.cache.types import utcnow
from oms_tui.floor.actions.store_actions import Actor, Tracking, set_note, ship
from oms_tui.sim.store import SimStore
from oms_tui.store.sync_lock import sync_lock
from tests.cli_shop import oms, serving, split_order, synced_store

PACKER = Actor(station="pack-1", staff_code="P01")


def tracking_numbers(store: SimStore, order_id: str) -> list[str | None]:
    return [info.number for f in store.orders[order_id].fulfillments for info in f.tracking_info]


def outbox_state(db_url: str, action_id: int) -> tuple[str, int]:
    cache = open_cache(db_url)
    with cache.sessions() as session:
        action = session.get_one(OutboxAction, action_id)
    cache.close()
    return action.state, action.attempts


def exceptions(db_url: str) -> list[FloorException]:
    cache = open_cache(db_url)
    with cache.sessions() as session:
        found = list(session.exec(select(FloorException).order_by(col(FloorException.id))))
    cache.close()
    return found


def test_retry_sends_what_waits_and_leaves_rejected_actions_to_a_person(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = synced_store(db_url)
    assert oms("staff", "add", "P01", "Pat Packer", "--role", "packer").exit_code == 0
    order, (fo, _) = split_order(store)
    waiting_order = next(o for o in store.orders.values() if o.id != order.id and o.cancelled_at is None)
    cache = open_cache(db_url)
    with cache.sessions() as session:
        shipment = ship(session, PACKER, fo.id, tracking=Tracking("OMS-REJECTED"))
        session.commit()
    store.fulfillment_orders[fo.id].status = "CLOSED"  # closed at the store meanwhile: it will refuse
    with serving(store, monkeypatch):
        first = oms("outbox", "push")
    assert first.stdout == "sent 0, rejected 1, still waiting 0\n", first.output
    # A note that met an outage and waits with a backoff, as the pusher leaves it:
    with cache.sessions() as session:
        note = set_note(session, PACKER, waiting_order.id, "call before delivery")
        note.attempts, note.last_error = 1, "store unavailable"
        note.next_attempt_at = utcnow() + timedelta(minutes=5)
        session.commit()
    cache.close()
    assert shipment.id is not None and note.id is not None
    store.fulfillment_orders[fo.id].status = "OPEN"  # sending the shipment again would now succeed

    with serving(store, monkeypatch):
        retried = oms("outbox", "retry")
        assert retried.stdout == "sent 1, rejected 0, still waiting 0\n", retried.output
        assert store.orders[waiting_order.id].note == "call before delivery"
        assert outbox_state(db_url, shipment.id) == ("failed", 1)  # not sent again: a person decides
        assert tracking_numbers(store, order.id) == []

        unknown = oms("outbox", "retry", "999")
        assert (unknown.exit_code, unknown.output) == (1, "Error: no waiting or failed action 999\n")

        store.fulfillment_orders[fo.id].status = "CLOSED"
        again = oms("outbox", "retry", str(shipment.id))
        assert again.stdout == "sent 0, rejected 1, still waiting 0\n", again.output
        (problem,) = exceptions(db_url)  # rejected twice: still one exception for the action
        assert (problem.subject, problem.state) == (f"outbox:{shipment.id}", "open")

        store.fulfillment_orders[fo.id].status = "OPEN"
        named = oms("outbox", "retry", str(shipment.id))
        assert named.stdout == "sent 1, rejected 0, still waiting 0\n", named.output
    assert tracking_numbers(store, order.id) == ["OMS-REJECTED"]
    assert outbox_state(db_url, shipment.id) == ("done", 3)
    cache = open_cache(db_url)
    with cache.sessions() as session:
        retries = session.exec(select(AuditEvent).where(AuditEvent.action == "outbox.retry")).all()
    cache.close()
    assert [event.subject for event in retries] == [f"outbox:{shipment.id}"] * 2


def test_push_leaves_the_outbox_to_the_station_holding_the_sync_lock(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = synced_store(db_url, orders=10)
    assert oms("staff", "add", "P01", "Pat Packer", "--role", "packer").exit_code == 0
    order = next(o for o in store.orders.values() if o.cancelled_at is None)
    cache = open_cache(db_url)
    with cache.sessions() as session:
        set_note(session, PACKER, order.id, "fragile")
        session.commit()
    with serving(store, monkeypatch), sync_lock(cache.engine, holder="station-2"):
        busy = oms("outbox", "push")
    cache.close()
    assert busy.exit_code == 1
    (line,) = busy.output.splitlines()
    assert line.startswith("Error: another ") and "nothing was sent from here" in line
    assert store.orders[order.id].note != "fragile"
