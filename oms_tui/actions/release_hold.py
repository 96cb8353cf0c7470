"""Releasing the holds of one fulfillment order that were there when the person released them.

Never `holdIds: null` (that releases every hold, others' too): the holds meant are named by id, or by
handle for a hold placed here whose id sync had not brought yet. None of them left is the evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from oms_tui.actions.base import ActionType, Known, Outcome, Payload, Request, Verdict
from oms_tui.actions.permissions import Permission, release_permission
from oms_tui.cache.enums import ActionKind
from oms_tui.cache.models import OutboxAction
from oms_tui.store.client import Client
from oms_tui.store.reread import read_nodes


class ReleasePayload(Payload):
    fulfillment_order_id: str
    hold_ids: list[str]
    hold_handles: list[str] = []
    hold_reasons: list[str] = []  # what was released: a fraud hold among them needed a manager


class ReleaseHold(ActionType[ReleasePayload]):
    kind = ActionKind.RELEASE_HOLD
    payload_model = ReleasePayload
    permission = Permission.RELEASE
    label = "release"
    scopes = ("write_merchant_managed_fulfillment_orders", "read_merchant_managed_fulfillment_orders")

    def required(self, payload: ReleasePayload) -> Permission:
        return release_permission(payload.hold_reasons)

    def timeline(self, payload: ReleasePayload, locations: Mapping[str, str]) -> str:
        return "released the hold"

    def request(self, payload: ReleasePayload) -> Request:
        variables = {"id": payload.fulfillment_order_id, "holdIds": payload.hold_ids}
        return Request("fulfillment_order_release_hold", variables, "fulfillmentOrderReleaseHold")

    def fulfillment_orders(self, payload: ReleasePayload) -> list[str]:
        return [payload.fulfillment_order_id]

    async def prepare(self, client: Client, payload: ReleasePayload) -> ReleasePayload | None:
        """The holds meant that the store still has, by id; None when none is left."""
        left = await _holds_left(client, payload)
        return payload.model_copy(update={"hold_ids": left}) if left else None

    async def check(
        self, client: Client, action: OutboxAction, payload: ReleasePayload, known: Known, now: datetime
    ) -> Verdict:
        if not await _holds_left(client, payload):
            return Verdict(Outcome.APPLIED, "no such hold left at the store")
        return Verdict(Outcome.ABSENT)


async def _holds_left(client: Client, payload: ReleasePayload) -> list[str]:
    nodes = await read_nodes(client, "nodes_fulfillment_orders", [payload.fulfillment_order_id])
    meant_ids, meant_handles = set(payload.hold_ids), set(payload.hold_handles)
    return [
        hold["id"]
        for found in nodes
        for hold in found["fulfillmentHolds"]
        if hold["id"] in meant_ids or (hold.get("handle") and hold["handle"] in meant_handles)
    ]


RELEASE_HOLD = ReleaseHold()
