"""Return actions reach the store exactly once: a disposal whose answer was lost is not applied twice."""

from __future__ import annotations

from sqlmodel import col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import InventoryLevel, OutboxAction, Return, ReverseFulfillmentOrderLineItem
from oms_tui.floor.actions.store_actions import Disposal, close_return, dispose_return
from oms_tui.sim.return_model import Return as SimReturn
from oms_tui.sim.store import SimStore
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from tests.store.returns_shop import request_return
from tests.store.simulated import simulated_client
from tests.store.test_outbox import PACKER, Clock, cache, push_until_empty

__all__ = ["cache"]


def dispositions(found: SimReturn) -> list[list[tuple[str, int, str | None]]]:
    return [
        [(d.type, d.quantity, d.location.id if d.location else None) for d in line.dispositions]
        for rfo in found.reverse_fulfillment_orders
        for line in rfo.line_items
    ]


def record_disposal(cache: Cache, returned: SimReturn, location_id: str) -> None:
    """Restock the first line, the rest damaged; then close the return."""
    with cache.sessions() as session:
        lines = session.exec(
            select(ReverseFulfillmentOrderLineItem)
            .where(ReverseFulfillmentOrderLineItem.return_id == returned.id)
            .order_by(col(ReverseFulfillmentOrderLineItem.id))
        ).all()
        disposals = [Disposal(lines[0].id, lines[0].total_quantity, "RESTOCKED", location_id)]
        disposals += [Disposal(line.id, line.total_quantity, "NOT_RESTOCKED") for line in lines[1:]]
        dispose_return(session, PACKER, returned.id, disposals)
        close_return(session, PACKER, returned.id)
        session.commit()


async def test_a_disposal_whose_answer_was_lost_is_applied_once_and_the_return_closed(cache: Cache) -> None:
    store = SimStore(orders=60, seed=5)
    returned = request_return(store, min_lines=2)
    location = store.order(returned.order_id).fulfillment_orders[0].location  # type: ignore[union-attr]
    sku = returned.return_line_items[0].fulfillment_line_item.line_item.sku
    on_hand = next(lv.on_hand for lv in store.inventory_by_sku(sku).levels if lv.location.id == location.id)  # type: ignore[union-attr]
    client, _tap, app = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        with cache.sessions() as session:  # every item's stock is synced: this SKU's level, as cached
            cached = session.exec(
                select(InventoryLevel).where(
                    InventoryLevel.sku == sku, InventoryLevel.location_id == location.id
                )
            ).one()
            synced = (cached.available, cached.on_hand)
        record_disposal(cache, returned, location.id)
        with cache.sessions() as session:
            level = session.exec(
                select(InventoryLevel).where(
                    InventoryLevel.sku == sku, InventoryLevel.location_id == location.id
                )
            ).one()
            assert (level.available, level.on_hand) == (synced[0] + 1, synced[1] + 1), (
                "the cached stock follows the restock"
            )
        app.state.faults.drop_after_mutations = 1  # the disposal is applied, its answer lost
        pusher = OutboxPusher(client, cache, clock=clock)
        await pusher.push_ready()
        with cache.sessions() as session:
            assert [a.state for a in session.exec(select(OutboxAction))] == ["sending", "pending"]
        await push_until_empty(pusher, clock)
    assert dispositions(returned) == [
        [("RESTOCKED", returned.return_line_items[0].quantity, location.id)],
        [("NOT_RESTOCKED", returned.return_line_items[1].quantity, None)],
    ]
    assert returned.status == "CLOSED"
    assert next(lv.on_hand for lv in store.inventory_by_sku(sku).levels if lv.location.id == location.id) == (  # type: ignore[union-attr]
        on_hand + returned.return_line_items[0].quantity
    )
    with cache.sessions() as session:
        actions = session.exec(select(OutboxAction).order_by(col(OutboxAction.id))).all()
        assert [(a.kind, a.state) for a in actions] == [("return_dispose", "done"), ("return_close", "done")]
        assert actions[0].result and actions[0].result.get("verified") == "found at the store"
        assert session.get_one(Return, returned.id).status == "CLOSED"  # read again from the store


async def test_a_lost_disposal_that_never_reached_the_store_is_sent_again(cache: Cache) -> None:
    store = SimStore(orders=60, seed=5)
    returned = request_return(store, min_lines=2)
    location = store.order(returned.order_id).fulfillment_orders[0].location  # type: ignore[union-attr]
    client, tap, _ = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        record_disposal(cache, returned, location.id)
        pusher = OutboxPusher(client, cache, clock=clock)
        dropped = [1]

        def drop_first_mutation(_n: int, request) -> None:  # type: ignore[no-untyped-def]
            import httpx

            if dropped[0] and b"mutation" in request.content:
                dropped[0] = 0
                raise httpx.ReadError("connection reset", request=request)

        tap.before = drop_first_mutation
        await push_until_empty(pusher, clock)
    assert [len(line) for line in dispositions(returned)] == [1, 1]
    assert returned.status == "CLOSED"


async def test_a_long_returns_lost_disposal_is_found_beyond_the_first_page_and_read_back_whole(
    cache: Cache,
) -> None:
    """15 lines over 3 reverse fulfillment orders: the check after a lost answer and the re-read after
    delivery both see every line, not the first page (a line missed there would be disposed twice)."""
    store = SimStore(orders=1000, seed=7)
    returned = request_return(store, min_lines=15, split=(11, 2, 2))
    location = store.order(returned.order_id).fulfillment_orders[0].location  # type: ignore[union-attr]
    client, _tap, app = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        record_disposal(cache, returned, location.id)
        app.state.faults.drop_after_mutations = 1  # the disposal is applied, its answer lost
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)
    assert [len(line) for line in dispositions(returned)] == [1] * 15, "each line disposed of once"
    assert returned.status == "CLOSED"
    with cache.sessions() as session:
        actions = session.exec(select(OutboxAction).order_by(col(OutboxAction.id))).all()
        assert actions[0].result and actions[0].result.get("verified") == "found at the store"
        cached = select(ReverseFulfillmentOrderLineItem).where(
            ReverseFulfillmentOrderLineItem.return_id == returned.id
        )
        lines = session.exec(cached).all()
    assert len(lines) == 15 and all(line.disposed_quantity == line.total_quantity for line in lines)
