"""Serving inventory transfers and shipments: the list, lookups by id and their nested lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from oms_tui.sim.pagination import connection, list_scan
from oms_tui.sim.store import SimStore
from oms_tui.sim.transfer_model import InventoryShipment, InventoryTransfer


def _store(info: GraphQLResolveInfo) -> SimStore:
    store: SimStore = info.context["store"]
    return store


def find_shipment(store: SimStore, shipment_id: str) -> tuple[InventoryTransfer, InventoryShipment] | None:
    for transfer in store.transfers.values():
        for shipment in transfer.shipments:
            if shipment.id == shipment_id:
                return transfer, shipment
    return None


def inventory_transfers(
    _: Any, info: GraphQLResolveInfo, reverse: bool = False, **page: Any
) -> dict[str, Any]:
    transfers = sorted(_store(info).transfers.values(), key=lambda transfer: transfer.id)
    return connection(list_scan(transfers), page, reverse=reverse)


def inventory_transfer(_: Any, info: GraphQLResolveInfo, id: str) -> InventoryTransfer | None:
    return _store(info).transfers.get(id)


def inventory_shipment(_: Any, info: GraphQLResolveInfo, id: str) -> InventoryShipment | None:
    found = find_shipment(_store(info), id)
    return found[1] if found else None


def _nested(attr: str) -> Callable[..., dict[str, Any]]:
    def resolve(parent: Any, _info: GraphQLResolveInfo, reverse: bool = False, **page: Any) -> dict[str, Any]:
        return connection(list_scan(getattr(parent, attr)), page, reverse=reverse)

    return resolve


TRANSFER_RESOLVERS: dict[tuple[str, str], Callable[..., Any]] = {
    ("QueryRoot", "inventoryTransfers"): inventory_transfers,
    ("QueryRoot", "inventoryTransfer"): inventory_transfer,
    ("QueryRoot", "inventoryShipment"): inventory_shipment,
    ("InventoryTransfer", "shipments"): _nested("shipments"),
    ("InventoryTransfer", "lineItems"): _nested("line_items"),
    ("InventoryShipment", "lineItems"): _nested("line_items"),
}
