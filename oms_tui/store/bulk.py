"""First sync of a large store through a bulk operation: one query run by the store, its result
downloaded as JSONL and the tree rebuilt from `__parentId` (children may come in any order).

The operation's id is kept in the stream's sync state while it runs, so a process killed while the
store works resumes polling the same operation instead of starting another. An operation that ends
FAILED, CANCELED or EXPIRED raises `BulkFailed` carrying its last state (with `partialDataUrl`, if
the store kept part of the result); CANCELING is still on its way and is waited for.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any, Protocol

from oms_tui.store import documents
from oms_tui.store.errors import StoreError

BULK_DOCUMENTS = {"orders": "bulk_orders", "fulfillment_orders": "bulk_fulfillment_orders"}
FAILED_STATES = ("FAILED", "CANCELED", "EXPIRED")
FIRST_POLL, LONGEST_POLL = 0.25, 5.0  # seconds between polls: small operations finish in a second


class BulkClient(Protocol):
    async def execute(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]: ...

    def download_lines(self, url: str) -> AsyncIterator[str]: ...


class BulkFailed(StoreError):
    """The operation could not start, or ended without a result; `operation` is its last state."""

    def __init__(self, message: str, operation: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.operation = operation or {}


async def start(client: BulkClient, stream: str) -> tuple[str, datetime]:
    """Start the stream's bulk query; returns the operation id and its creation time."""
    query = documents.bulk_query(BULK_DOCUMENTS[stream])
    result = (await client.execute("bulk_run", {"query": query}))["bulkOperationRunQuery"]
    if result["userErrors"]:
        raise BulkFailed("; ".join(error["message"] for error in result["userErrors"]))
    operation = result["bulkOperation"]
    return operation["id"], datetime.fromisoformat(operation["createdAt"].replace("Z", "+00:00"))


async def wait(
    client: BulkClient, operation_id: str, sleep: Callable[[float], Any] = asyncio.sleep
) -> dict[str, Any]:
    """Poll until the operation completes; returns its final state (with `url`, None when empty)."""
    interval = FIRST_POLL
    while True:
        operation = (await client.execute("bulk_status", {"id": operation_id}))["bulkOperation"]
        if operation is None:
            raise BulkFailed(f"bulk operation {operation_id} is unknown to the store", {"id": operation_id})
        if operation["status"] == "COMPLETED":
            return dict(operation)
        if operation["status"] in FAILED_STATES:
            code = f" ({operation['errorCode']})" if operation.get("errorCode") else ""
            raise BulkFailed(f"bulk operation {operation_id} {operation['status'].lower()}{code}", operation)
        await sleep(interval)
        interval = min(interval * 2, LONGEST_POLL)


async def read_tree(client: BulkClient, url: str | None) -> list[dict[str, Any]]:
    """Root objects with their children attached as `lineItems.nodes`, in the file's root order.

    An operation reads no snapshot: an object changed while it ran may be listed again further on,
    its children too. The later copy of a root is kept; children are written by id, the later last."""
    if url is None:  # an operation that matched nothing has no file
        return []
    roots: dict[str, dict[str, Any]] = {}
    children: dict[str, list[dict[str, Any]]] = {}
    async for line in client.download_lines(url):
        item = json.loads(line)
        parent = item.pop("__parentId", None)
        if parent is None:
            roots[item["id"]] = item
        else:
            children.setdefault(parent, []).append(item)
    for ident, root in roots.items():
        root["lineItems"] = {"pageInfo": {"hasNextPage": False}, "nodes": children.get(ident, [])}
    return list(roots.values())
