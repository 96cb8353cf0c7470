"""Closing a return whose every unit has been disposed of. Evidence: the return is closed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from oms_tui.actions.base import ActionType, Known, Outcome, Payload, Request, Verdict
from oms_tui.actions.permissions import Permission
from oms_tui.cache.enums import ActionKind
from oms_tui.cache.models import OutboxAction
from oms_tui.store.client import Client
from oms_tui.store.reread import read_nodes
from oms_tui.store.return_pages import whole_return
from oms_tui.store.return_payloads import ReturnNode


class ClosePayload(Payload):
    return_id: str


class ReturnClose(ActionType[ClosePayload]):
    kind = ActionKind.RETURN_CLOSE
    payload_model = ClosePayload
    permission = Permission.RECEIVE_RETURNS
    label = "closing of the return"
    scopes = ("write_returns", "read_returns")
    returns = True

    def timeline(self, payload: ClosePayload, locations: Mapping[str, str]) -> str:
        return "closed the return"

    def request(self, payload: ClosePayload) -> Request:
        return Request("return_close", {"id": payload.return_id}, "returnClose")

    async def check(
        self, client: Client, action: OutboxAction, payload: ClosePayload, known: Known, now: datetime
    ) -> Verdict:
        found = await read_return(client, payload.return_id)
        if found is None:
            return Verdict(Outcome.IMPOSSIBLE, "the return is gone from the store")
        if found["status"] == "CLOSED":
            return Verdict(Outcome.APPLIED, f"closed at the store at {found['closedAt']}")
        return (
            Verdict(Outcome.ABSENT)
            if found["status"] == "OPEN"
            else Verdict(Outcome.IMPOSSIBLE, return_state(found))
        )


async def read_return(client: Client, return_id: str) -> dict[str, Any] | None:
    """The return as the store has it, every line included (a long return's are beyond the first page)."""
    read = next(iter(await read_nodes(client, "nodes_returns", [return_id])), None)
    if read is None:
        return None
    whole = await whole_return(client, ReturnNode.model_validate(read))
    return whole.model_dump(by_alias=True, mode="json")


def return_state(found: dict[str, Any]) -> str:
    return f"the return is {found['status'].lower()}"


RETURN_CLOSE = ReturnClose()
