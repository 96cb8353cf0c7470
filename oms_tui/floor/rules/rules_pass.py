"""The rules' pass after each sync: the orders sync created or changed since the last pass.

It follows the change feed (orders, and fulfillment orders for the orders whose rules waited for
them) from a position kept in `sync_state` (stream `order_rules`), a bounded step at a time, in
its own short transactions after sync's: sync stays as fast as it was. The first pass starts at the
feed's end: rules act on orders as they arrive or change from then on, not on the whole history.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import ChangeFeedEntry, FulfillmentOrder, SyncState
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.rules.firing import Firing, run_rules
from oms_tui.rules_settings import Rule

STREAM = "order_rules"
STEP = 500  # feed entries per transaction


def run_rules_pass(cache: Cache, rules: list[Rule], actor: Actor, *, step: int = STEP) -> list[Firing]:
    fired: list[Firing] = []
    while True:
        with cache.sessions() as session:
            state = session.exec(
                select(SyncState).where(SyncState.stream == STREAM).with_for_update()
            ).first()
            if state is None:
                latest = session.exec(select(func.max(ChangeFeedEntry.id))).one() or 0
                session.add(SyncState(stream=STREAM, cursor=str(latest)))
                session.commit()
                return fired
            after = int(state.cursor or 0)
            entries = list(
                session.exec(
                    select(ChangeFeedEntry)
                    .where(
                        col(ChangeFeedEntry.id) > after,
                        col(ChangeFeedEntry.stream).in_(("orders", "fulfillment_orders")),
                    )
                    .order_by(col(ChangeFeedEntry.id))
                    .limit(step)
                )
            )
            if not entries:
                return fired
            fired += run_rules(session, rules, _orders(session, entries), actor)
            state.cursor = str(entries[-1].id)
            session.add(state)
            session.commit()


def _orders(session: Session, entries: list[ChangeFeedEntry]) -> list[str]:
    orders = {entry.object_id for entry in entries if entry.stream == "orders"}
    fos = [entry.object_id for entry in entries if entry.stream == "fulfillment_orders"]
    if fos:
        orders.update(
            session.exec(select(FulfillmentOrder.order_id).where(col(FulfillmentOrder.id).in_(fos)))
        )
    return sorted(orders)
