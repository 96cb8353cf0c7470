"""A line added to the order's note at the store, saying a message went to the customer.

Unlike `note` (a person's whole note, replacing the store's), this appends: the store's note is read
just before sending (`prepare`) and the line is added below it, so nobody's note is overwritten.
Evidence: the store's note holds the line (each line names its message's Message-ID, so it is one of
ours and no other). A note changed at the store between the read and the write would lose that change;
the read is the moment before the write, which keeps that window to the length of one request.
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


def one_line(text: str) -> str:
    if "\n" in text or "\r" in text:
        raise ValueError("a note line is one line")
    if not text.strip():
        raise ValueError("a note line must not be empty")
    return note(text)


class MessageNotePayload(Payload):
    order_id: str
    line: Annotated[str, AfterValidator(one_line)]
    base: str | None = None  # the store's note it goes below, as read just before sending


def appended(base: str | None, line: str) -> str:
    return f"{base.rstrip()}\n{line}" if base and base.strip() else line


class MessageNote(ActionType[MessageNotePayload]):
    kind = ActionKind.MESSAGE_NOTE
    payload_model = MessageNotePayload
    permission = Permission.MESSAGE
    label = "note of the message"
    scopes = ("write_orders", "read_orders")

    def timeline(self, payload: MessageNotePayload, locations: Mapping[str, str]) -> str:
        return f"order note: + {payload.line}"

    def request(self, payload: MessageNotePayload) -> Request:
        variables = {"input": {"id": payload.order_id, "note": appended(payload.base, payload.line)}}
        return Request("order_update", variables, "orderUpdate")

    async def prepare(self, client: Client, payload: MessageNotePayload) -> MessageNotePayload | None:
        order = await node(client, "nodes_orders", payload.order_id)
        at_store = visible(order.get("note") or "", newlines=True) if order else ""
        if payload.line in at_store:
            return None
        return payload.model_copy(update={"base": at_store})

    async def check(
        self, client: Client, action: OutboxAction, payload: MessageNotePayload, known: Known, now: datetime
    ) -> Verdict:
        order = await node(client, "nodes_orders", payload.order_id)
        if order is None:
            return Verdict(Outcome.IMPOSSIBLE, "the order is gone from the store")
        if payload.line in visible(order.get("note") or "", newlines=True):
            return Verdict(Outcome.APPLIED, "the line is in the store's note")
        return Verdict(Outcome.ABSENT)


MESSAGE_NOTE = MessageNote()
