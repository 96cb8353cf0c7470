"""The order's note, as a person wrote it (it replaces the note at the store).

Evidence: the store's note is ours. Sending again is not free: when the note at the store is neither
ours nor the one we replaced, someone changed it meanwhile, and theirs is not overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator

from oms_tui.actions.base import ActionType, Known, Outcome, Payload, Request, Verdict, node
from oms_tui.actions.permissions import Permission
from oms_tui.actions.text_rules import note
from oms_tui.cache.enums import ActionKind
from oms_tui.cache.models import OutboxAction
from oms_tui.plain_text import visible
from oms_tui.store.client import Client


class NotePayload(Payload):
    order_id: str
    note: Annotated[str, AfterValidator(note)]
    previous: str | None = None  # the note it replaced, as the cache had it


class Note(ActionType[NotePayload]):
    kind = ActionKind.NOTE
    payload_model = NotePayload
    permission = Permission.NOTE
    label = "note"
    scopes = ("write_orders", "read_orders")

    def timeline(self, payload: NotePayload, locations: Mapping[str, str]) -> str:
        return f"note: {payload.note or '(cleared)'}"

    def request(self, payload: NotePayload) -> Request:
        return Request(
            "order_update", {"input": {"id": payload.order_id, "note": payload.note}}, "orderUpdate"
        )

    async def check(
        self, client: Client, action: OutboxAction, payload: NotePayload, known: Known, now: datetime
    ) -> Verdict:
        order = await node(client, "nodes_orders", payload.order_id)
        if order is None:
            return Verdict(Outcome.IMPOSSIBLE, "the order is gone from the store")
        at_store = visible(order.get("note") or "", newlines=True)  # as the cache keeps it
        if at_store == payload.note:
            return Verdict(Outcome.APPLIED, "the note is at the store")
        if payload.previous is not None and at_store != payload.previous:
            return Verdict(Outcome.IMPOSSIBLE, "the note was changed at the store meanwhile: not overwritten")
        return Verdict(Outcome.ABSENT)


NOTE = Note()
