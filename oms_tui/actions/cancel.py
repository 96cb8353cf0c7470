"""Cancelling an order, with the canceller's decisions on refund and restock sent as they are.

`orderCancel` only starts a job: the action is done once the order shows `cancelledAt`. Evidence after
a lost answer: the order is cancelled; a job still running waits; a finished job without a cancelled
order failed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field

from oms_tui.actions.base import ActionType, Known, Outcome, Payload, Request, Verdict, Wait, node
from oms_tui.actions.permissions import Permission
from oms_tui.cache.enums import ActionKind
from oms_tui.cache.models import OutboxAction
from oms_tui.store.client import Client

CANCEL_SETTLE = timedelta(minutes=1)  # Shopify's cancellation jobs take seconds
CANCEL_POLLS = (0.5, 1.0, 2.0)  # seconds between looks at a cancellation job, before moving on


class CancelReason(enum.StrEnum):
    """Shopify's OrderCancelReason."""

    CUSTOMER = "CUSTOMER"
    DECLINED = "DECLINED"
    FRAUD = "FRAUD"
    INVENTORY = "INVENTORY"
    STAFF = "STAFF"
    OTHER = "OTHER"


class Refund(enum.StrEnum):
    """Where a cancelled order's money goes: the person cancelling decides (there is no default)."""

    ORIGINAL = "original"  # back to the original payment methods
    STORE_CREDIT = "store-credit"
    NONE = "none"


# The canceller's refund decision as Shopify's OrderCancelRefundMethodInput.
REFUND_METHODS: dict[Refund, dict[str, Any]] = {
    Refund.ORIGINAL: {"originalPaymentMethodsRefund": True},
    Refund.STORE_CREDIT: {"originalPaymentMethodsRefund": False, "storeCreditRefund": {"expiresAt": None}},
    Refund.NONE: {"originalPaymentMethodsRefund": False},
}


class CancelPayload(Payload):
    order_id: str
    reason: CancelReason
    refund: Refund
    restock: bool
    notify_customer: bool = True
    staff_note: str = Field(default="", max_length=500)


class Cancel(ActionType[CancelPayload]):
    kind = ActionKind.CANCEL
    payload_model = CancelPayload
    permission = Permission.CANCEL
    label = "cancellation"
    scopes = ("write_orders", "read_orders")
    user_errors = "orderCancelUserErrors"

    def timeline(self, payload: CancelPayload, locations: Mapping[str, str]) -> str:
        restock = "restock" if payload.restock else "no restock"
        return f"cancelled ({payload.reason.lower()}), refund {payload.refund}, {restock}"

    def request(self, payload: CancelPayload) -> Request:
        variables = {
            "orderId": payload.order_id,
            "reason": payload.reason.value,
            "refundMethod": REFUND_METHODS[payload.refund],
            "restock": payload.restock,
            "notifyCustomer": payload.notify_customer,
            "staffNote": payload.staff_note or None,
        }
        return Request("order_cancel", variables, "orderCancel")

    async def check(
        self, client: Client, action: OutboxAction, payload: CancelPayload, known: Known, now: datetime
    ) -> Verdict:
        job_id = (action.result or {}).get("job")
        if job_id:
            job = (await client.execute("job", {"id": job_id})).get("job")
            if job is not None and not job.get("done"):
                return Verdict(Outcome.PENDING, "the store is still cancelling the order", {"job": job_id})
        order = await node(client, "nodes_orders", action.order_id)
        if order is not None and order.get("cancelledAt"):
            return Verdict(
                Outcome.APPLIED, f"cancelled at the store at {order['cancelledAt']}", {"job": job_id}
            )
        if job_id:
            why = "the store's cancellation job finished but the order is not cancelled"
            return Verdict(Outcome.IMPOSSIBLE, why)
        if action.first_sent_at and now - action.first_sent_at < CANCEL_SETTLE:
            why = "the answer was lost: waiting for the store to show the cancellation"
            return Verdict(Outcome.PENDING, why)
        return Verdict(Outcome.ABSENT)

    async def delivered(
        self,
        client: Client,
        action: OutboxAction,
        payload: CancelPayload,
        result: dict[str, Any],
        wait: Wait,
        now: datetime,
    ) -> Verdict:
        """The job started: look at it a few times before leaving it to a later round."""
        job = result.get("job") or {}
        if job.get("done", True):
            return Verdict(Outcome.APPLIED, result=result)
        action.result = {"job": job["id"]}
        for delay in CANCEL_POLLS:
            await wait(delay)
            verdict = await self.check(client, action, payload, Known(), now)
            if verdict.outcome == Outcome.APPLIED:
                return Verdict(Outcome.APPLIED, result={"job": job["id"], "verified": verdict.detail})
            if verdict.outcome == Outcome.IMPOSSIBLE:
                return verdict
        return Verdict(Outcome.PENDING, "the store is still cancelling the order", action.result)


CANCEL = Cancel()
