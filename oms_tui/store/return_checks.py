"""After a return action's unknown outcome: is it already at the store?

Only evidence counts. A disposal is at the store when, for each of its inputs, the line shows a
disposition of that type, quantity and location made since our first attempt that no other action of
ours claimed (each delivered disposal keeps the ids of the dispositions it made). A close is there when
the return is closed. Otherwise it is sent again if the store would still take it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from oms_tui.cache.models import OutboxAction
from oms_tui.store.client import Client
from oms_tui.store.outbox_checks import ABSENT, APPLIED, CLOCK_SKEW, IMPOSSIBLE, Verdict
from oms_tui.store.reread import read_nodes
from oms_tui.store.return_pages import whole_return
from oms_tui.store.return_payloads import ReturnNode


async def check_return_action(
    client: Client, action: OutboxAction, _lines: dict[str, str], taken: set[str], _now: datetime
) -> Verdict:
    """`taken`: the dispositions other disposals of this order made (see `disposition_ids`)."""
    read = next(iter(await read_nodes(client, "nodes_returns", [action.payload["returnId"]])), None)
    if read is None:
        return Verdict(IMPOSSIBLE, "the return is gone from the store")
    # every line, where the disposal may be: a long return's are beyond the first page
    whole = await whole_return(client, ReturnNode.model_validate(read))
    found = whole.model_dump(by_alias=True, mode="json")
    if action.kind == "return_close":
        if found["status"] == "CLOSED":
            return Verdict(APPLIED, f"closed at the store at {found['closedAt']}")
        return Verdict(ABSENT) if found["status"] == "OPEN" else Verdict(IMPOSSIBLE, _state(found))
    return _disposal_verdict(action, found, taken)


def _disposal_verdict(action: OutboxAction, found: dict[str, Any], taken: set[str]) -> Verdict:
    lines = {
        line["id"]: line
        for rfo in found["reverseFulfillmentOrders"]["nodes"]
        for line in rfo["lineItems"]["nodes"]
    }
    since = (action.first_sent_at or action.created_at) - CLOCK_SKEW
    claimed = set(taken)
    matched: list[str] = []
    for wanted in action.payload["dispositions"]:
        line = lines.get(wanted["reverseFulfillmentOrderLineItemId"], {"dispositions": []})
        unclaimed = (d for d in line["dispositions"] if d["id"] not in claimed)
        hit = next((d for d in unclaimed if _same(d, wanted, since)), None)
        if hit is None:
            break
        claimed.add(hit["id"])
        matched.append(hit["id"])
    else:
        found_it = "found at the store"
        return Verdict(APPLIED, found_it, {"verified": found_it, "dispositionIds": matched})
    if matched:
        return Verdict(IMPOSSIBLE, "only part of the disposal is at the store: check the return in Shopify")
    if found["status"] != "OPEN":
        return Verdict(IMPOSSIBLE, f"the disposal is not at the store and {_state(found)}")
    for wanted in action.payload["dispositions"]:
        line = lines.get(wanted["reverseFulfillmentOrderLineItemId"])
        if line is None:
            return Verdict(IMPOSSIBLE, "the disposal is not at the store and its line is gone")
        left = line["totalQuantity"] - sum(d["quantity"] for d in line["dispositions"])
        if left < wanted["quantity"]:
            return Verdict(
                IMPOSSIBLE, f"the disposal is not at the store and only {left} unit(s) are left to dispose"
            )
    return Verdict(ABSENT)


def _same(disposition: dict[str, Any], wanted: dict[str, Any], since: datetime | None) -> bool:
    location = (disposition.get("location") or {}).get("id")
    created = datetime.fromisoformat(disposition["createdAt"].replace("Z", "+00:00"))
    return (
        disposition["type"] == wanted["dispositionType"]
        and disposition["quantity"] == wanted["quantity"]
        and location == wanted.get("locationId")
        and (since is None or created >= since)
    )


def _state(found: dict[str, Any]) -> str:
    return f"the return is {found['status'].lower()}"


def new_dispositions(result: dict[str, Any], action: OutboxAction) -> list[str]:
    """The dispositions a delivered disposal made: the newest of each line it named, per input."""
    made: list[str] = []
    lines = {line["id"]: line for line in result.get("reverseFulfillmentOrderLineItems") or []}
    for wanted in action.payload["dispositions"]:
        line = lines.get(wanted["reverseFulfillmentOrderLineItemId"], {"dispositions": []})
        candidates = [d for d in reversed(line["dispositions"]) if d["id"] not in made]
        hit = next((d for d in candidates if _same(d, wanted, None)), None)
        if hit is not None:
            made.append(hit["id"])
    return made


def disposition_ids(session: Session, action: OutboxAction) -> set[str]:
    """Dispositions that other delivered disposals of the action's order made."""
    results = session.exec(
        select(OutboxAction.result).where(
            OutboxAction.order_id == action.order_id,
            OutboxAction.kind == "return_dispose",
            OutboxAction.state == "done",
            OutboxAction.id != action.id,
        )
    ).all()
    return {ident for result in results for ident in (result or {}).get("dispositionIds", [])}
