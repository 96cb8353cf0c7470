"""Tags added to an order (added to the store's, never replacing them). Evidence: the store has them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from oms_tui.actions.base import ActionType, Known, Outcome, Payload, Request, Verdict, node
from oms_tui.actions.permissions import Permission
from oms_tui.actions.text_rules import MAX_TAGS, tag
from oms_tui.cache.enums import ActionKind
from oms_tui.cache.models import OutboxAction
from oms_tui.store.client import Client


class TagsPayload(Payload):
    order_id: str
    tags: list[Annotated[str, AfterValidator(tag)]] = Field(min_length=1, max_length=MAX_TAGS)


class Tags(ActionType[TagsPayload]):
    kind = ActionKind.TAGS
    payload_model = TagsPayload
    permission = Permission.TAG
    label = "tags"
    scopes = ("write_orders", "read_orders")

    def timeline(self, payload: TagsPayload, locations: Mapping[str, str]) -> str:
        return f"tagged {', '.join(payload.tags)}"

    def request(self, payload: TagsPayload) -> Request:
        return Request("tags_add", {"id": payload.order_id, "tags": payload.tags}, "tagsAdd")

    async def check(
        self, client: Client, action: OutboxAction, payload: TagsPayload, known: Known, now: datetime
    ) -> Verdict:
        order = await node(client, "nodes_orders", payload.order_id)
        if order is None:
            return Verdict(Outcome.IMPOSSIBLE, "the order is gone from the store")
        at_store = {existing.lower() for existing in order.get("tags") or []}
        if all(wanted.lower() in at_store for wanted in payload.tags):
            return Verdict(Outcome.APPLIED, "the tags are at the store")
        return Verdict(Outcome.ABSENT)


TAGS = Tags()
