"""The simulated store keeps the orders it generated, up to `kept_generated`; an older one asked for
again is generated again, the same order. A benchmark keeps every one, as a real store has them."""

from __future__ import annotations

from oms_tui.sim.store import SimStore


def test_a_store_keeps_as_many_generated_orders_as_it_is_told() -> None:
    forgetful = SimStore(orders=5, seed=7, kept_generated=2)
    first = forgetful.order_at(0)
    forgetful.order_at(1), forgetful.order_at(2)
    again = forgetful.order_at(0)
    assert again is not first  # generated again, as it was:
    assert (again.id, again.name, again.updated_at) == (first.id, first.name, first.updated_at)

    keeping = SimStore(orders=5, seed=7, kept_generated=5)
    first = keeping.order_at(0)
    for index in range(1, 5):
        keeping.order_at(index)
    assert keeping.order_at(0) is first
