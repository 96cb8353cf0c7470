"""orderCancel (asynchronous, through a job), orderUpdate, tagsAdd: Shopify's rules on the simulated store."""

from __future__ import annotations

import uuid
from typing import Any

from graphql import GraphQLResolveInfo

from oms_tui.sim.fulfillment_mutations import user_error
from oms_tui.sim.model import CancelRequest, Order
from oms_tui.sim.store import SimStore

# Authorized payments are voided whatever the refund decision; paid money goes back only if asked.
VOIDED_WHEN_CANCELLED = {"AUTHORIZED": "VOIDED", "PENDING": "VOIDED"}
REFUNDED_WHEN_CANCELLED = {"PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED"}


def _store(info: GraphQLResolveInfo) -> SimStore:
    store: SimStore = info.context["store"]
    return store


def cancel_order(store: SimStore, order: Order, reason: str, restock: bool, refund: bool = True) -> None:
    """Cancel: unfulfilled quantities leave the order, its open fulfillment orders close."""
    order.cancelled_at, order.cancel_reason = store.now(), reason
    status = order.display_financial_status
    if status in VOIDED_WHEN_CANCELLED:
        order.display_financial_status = VOIDED_WHEN_CANCELLED[status]
    elif refund and status in REFUNDED_WHEN_CANCELLED:
        order.display_financial_status = "REFUNDED"
    changed = [fo for fo in order.fulfillment_orders if not fo.is_closed]
    for fo in changed:
        for fol in fo.line_items:
            if restock and fol.remaining_quantity:
                item = store.inventory.get(fol.line_item.variant.inventory_item_id)
                for level in item.levels if item else []:
                    if level.location.id == fo.location.id:
                        level.committed = max(0, level.committed - fol.remaining_quantity)
                        level.item.updated_at = store.now()
            fol.remaining_quantity = 0
        fo.status, fo.holds = "CLOSED", []
    for line in order.line_items:
        line.current_quantity -= line.unfulfilled_quantity
        line.unfulfilled_quantity = 0
    store.touch(order, *changed)


def order_cancel(
    _: Any,
    info: GraphQLResolveInfo,
    orderId: str,
    reason: str,
    restock: bool,
    refundMethod: dict[str, Any] | None = None,
    notifyCustomer: bool = False,
    staffNote: str | None = None,
) -> dict[str, Any]:
    """Like Shopify: answers with a job that is not done; the order is cancelled when the job runs."""
    store = _store(info)
    order = store.order(orderId)
    errors = []
    if order is None:
        errors.append(user_error(["orderId"], "Order not found.", "NOT_FOUND"))
    elif order.cancelled_at is not None or order.cancel_request is not None:
        errors.append(user_error(["orderId"], "Order has already been cancelled.", "INVALID"))
    elif order.fulfillments:
        errors.append(user_error(["orderId"], "Cannot cancel an order that has fulfillments.", "INVALID"))
    if errors or order is None:
        return {"job": None, "orderCancelUserErrors": errors, "userErrors": errors}
    request = CancelRequest(reason, restock, refundMethod, notifyCustomer, staffNote)
    order.cancel_request = request
    store.keep(order)  # the request is bookkeeping: updatedAt moves when the job cancels the order

    def run() -> None:
        if order.cancelled_at is None:  # the shop may have cancelled it meanwhile
            cancel_order(store, order, reason, restock, request.refunds)

    job = store.jobs.start(f"gid://shopify/Job/{uuid.UUID(int=store.new_id())}", run)
    return {"job": job, "orderCancelUserErrors": [], "userErrors": []}


def _not_found(field: str) -> dict[str, Any]:
    return user_error([field], "Order does not exist")


def order_update(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    store = _store(info)
    order = store.order(input["id"])
    if order is None:
        return {"order": None, "userErrors": [_not_found("id")]}
    if "note" in input:
        order.note = input["note"]
    if "tags" in input:
        order.tags = list(dict.fromkeys(t.strip() for t in input["tags"] or [] if t.strip()))
    if "email" in input:
        order.email = input["email"]
    store.touch(order)
    return {"order": order, "userErrors": []}


def tags_add(_: Any, info: GraphQLResolveInfo, id: str, tags: list[str]) -> dict[str, Any]:
    store = _store(info)
    order = store.order(id)
    if order is None:
        return {
            "node": None,
            "userErrors": [user_error(["id"], "Resource does not exist or is not taggable")],
        }
    present = {t.lower() for t in order.tags}
    added = [t.strip() for t in tags if t.strip() and t.strip().lower() not in present]
    if added:
        order.tags.extend(dict.fromkeys(added))
        store.touch(order)
    return {"node": order, "userErrors": []}
