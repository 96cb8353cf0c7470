"""What became of returned units: restocked at a location, not restocked (damaged), or missing.

Evidence: for each input, the line shows a disposition of that type, quantity and location made since
our first attempt that no other action of ours claimed (each delivered disposal keeps the ids of the
dispositions it made). Otherwise it is sent again if the store would still take it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import Field, model_validator
from sqlmodel import Session

from oms_tui.actions.base import (
    CLOCK_SKEW,
    ActionType,
    Known,
    Outcome,
    Payload,
    Request,
    Verdict,
    Wait,
    delivered_results,
    store_time,
)
from oms_tui.actions.permissions import Permission
from oms_tui.actions.return_close import read_return, return_state
from oms_tui.cache.enums import ActionKind
from oms_tui.cache.models import OutboxAction
from oms_tui.store.client import Client


class DispositionType(enum.StrEnum):
    """Shopify's ReverseFulfillmentOrderDispositionType."""

    RESTOCKED = "RESTOCKED"
    NOT_RESTOCKED = "NOT_RESTOCKED"
    MISSING = "MISSING"
    PROCESSING_REQUIRED = "PROCESSING_REQUIRED"


class Disposition(Payload):
    reverse_fulfillment_order_line_item_id: str
    quantity: int = Field(gt=0)
    disposition_type: DispositionType
    location_id: str | None = None

    @model_validator(mode="after")
    def restock_has_location(self) -> Disposition:
        if self.disposition_type == DispositionType.RESTOCKED and not self.location_id:
            raise ValueError("a restock needs a location")
        return self


class DisposePayload(Payload):
    return_id: str
    dispositions: list[Disposition] = Field(min_length=1)
    disposed_before: dict[str, int] = Field(default_factory=dict)


class ReturnDispose(ActionType[DisposePayload]):
    kind = ActionKind.RETURN_DISPOSE
    payload_model = DisposePayload
    permission = Permission.RECEIVE_RETURNS
    label = "disposal of returned items"
    scopes = ("write_returns", "read_returns")
    returns = True

    def timeline(self, payload: DisposePayload, locations: Mapping[str, str]) -> str:
        counts: dict[str, int] = {}
        for disposition in payload.dispositions:
            counts[disposition.disposition_type] = (
                counts.get(disposition.disposition_type, 0) + disposition.quantity
            )
        return "returned items: " + ", ".join(
            f"{units} {kind.lower().replace('_', ' ')}" for kind, units in counts.items()
        )

    def request(self, payload: DisposePayload) -> Request:
        inputs = [
            {key: value for key, value in disposition.as_json().items() if value is not None}
            for disposition in payload.dispositions
        ]
        variables = {"dispositionInputs": inputs}
        return Request("reverse_fulfillment_order_dispose", variables, "reverseFulfillmentOrderDispose")

    def known(self, session: Session, action: OutboxAction) -> Known:
        """The dispositions that other delivered disposals of the action's order made."""
        made = (
            ident
            for result in delivered_results(session, action)
            for ident in result.get("dispositionIds", [])
        )
        return Known(taken=frozenset(made))

    async def delivered(
        self,
        client: Client,
        action: OutboxAction,
        payload: DisposePayload,
        result: dict[str, Any],
        wait: Wait,
        now: datetime,
    ) -> Verdict:
        """Which dispositions are this action's, for later checks: the newest of each line it named."""
        made: list[str] = []
        lines = {line["id"]: line for line in result.get("reverseFulfillmentOrderLineItems") or []}
        for wanted in payload.dispositions:
            line = lines.get(wanted.reverse_fulfillment_order_line_item_id, {"dispositions": []})
            candidates = [d for d in reversed(line["dispositions"]) if d["id"] not in made]
            hit = next((d for d in candidates if _same(d, wanted, None)), None)
            if hit is not None:
                made.append(hit["id"])
        return Verdict(Outcome.APPLIED, result={**result, "dispositionIds": made})

    async def check(
        self, client: Client, action: OutboxAction, payload: DisposePayload, known: Known, now: datetime
    ) -> Verdict:
        found = await read_return(client, payload.return_id)
        if found is None:
            return Verdict(Outcome.IMPOSSIBLE, "the return is gone from the store")
        lines = {
            line["id"]: line
            for rfo in found["reverseFulfillmentOrders"]["nodes"]
            for line in rfo["lineItems"]["nodes"]
        }
        since = (action.first_sent_at or action.created_at) - CLOCK_SKEW
        claimed = set(known.taken)
        matched: list[str] = []
        for wanted in payload.dispositions:
            line = lines.get(wanted.reverse_fulfillment_order_line_item_id, {"dispositions": []})
            unclaimed = (d for d in line["dispositions"] if d["id"] not in claimed)
            hit = next((d for d in unclaimed if _same(d, wanted, since)), None)
            if hit is None:
                break
            claimed.add(hit["id"])
            matched.append(hit["id"])
        else:
            found_it = "found at the store"
            return Verdict(Outcome.APPLIED, found_it, {"verified": found_it, "dispositionIds": matched})
        if matched:
            why = "only part of the disposal is at the store: check the return in Shopify"
            return Verdict(Outcome.IMPOSSIBLE, why)
        if found["status"] != "OPEN":
            return Verdict(Outcome.IMPOSSIBLE, f"the disposal is not at the store and {return_state(found)}")
        return _still_disposable(payload, lines)


def _still_disposable(payload: DisposePayload, lines: dict[str, dict[str, Any]]) -> Verdict:
    for wanted in payload.dispositions:
        line = lines.get(wanted.reverse_fulfillment_order_line_item_id)
        if line is None:
            return Verdict(Outcome.IMPOSSIBLE, "the disposal is not at the store and its line is gone")
        left = line["totalQuantity"] - sum(d["quantity"] for d in line["dispositions"])
        if left < wanted.quantity:
            why = f"the disposal is not at the store and only {left} unit(s) are left to dispose"
            return Verdict(Outcome.IMPOSSIBLE, why)
    return Verdict(Outcome.ABSENT)


def _same(disposition: dict[str, Any], wanted: Disposition, since: datetime | None) -> bool:
    location = (disposition.get("location") or {}).get("id")
    return (
        disposition["type"] == wanted.disposition_type
        and disposition["quantity"] == wanted.quantity
        and location == wanted.location_id
        and (since is None or store_time(disposition["createdAt"]) >= since)
    )


RETURN_DISPOSE = ReturnDispose()
