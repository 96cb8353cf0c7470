"""Bulk operations in the simulator: worked on in the background, as Shopify's are, a page at a time
and giving way to the requests the store answers."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest

from oms_tui.sim import bulk as sim_bulk
from oms_tui.sim.app import create_app
from oms_tui.sim.faults import FaultProfile
from oms_tui.sim.store import SimStore
from oms_tui.sim.testing import sim_client
from oms_tui.store import documents
from tests.sim.conftest import gql
from tests.web.serving import until

RUN_BULK = """mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status }
             userErrors { message code } } }"""
POLL_BULK = "query($id: ID!) { bulkOperation(id: $id) { status url objectCount rootObjectCount } }"
ORDERS_WITH_LINES = "{ orders { edges { node { id name lineItems { edges { node { id sku } } } } } } }"


async def test_bulk_operation_completes_with_children_on_their_own_lines() -> None:
    store = SimStore(orders=600, seed=7)  # many pages of the store's own reading
    async with sim_client(store) as client:
        started = (await gql(client, RUN_BULK, q=ORDERS_WITH_LINES))["data"]["bulkOperationRunQuery"]
        assert started["bulkOperation"]["status"] == "CREATED"
        statuses = []
        while not statuses or statuses[-1]["status"] != "COMPLETED":
            poll = await gql(client, POLL_BULK, id=started["bulkOperation"]["id"])
            statuses.append(poll["data"]["bulkOperation"])
        seen = list(dict.fromkeys(s["status"] for s in statuses))  # in the order they came
        assert seen == [status for status in ("CREATED", "RUNNING", "COMPLETED") if status in seen]
        lines = [json.loads(line) for line in (await client.get(statuses[-1]["url"])).text.splitlines()]
    orders = [line for line in lines if "__parentId" not in line]
    assert [o["id"] for o in orders] == list(store.orders)
    children = [line for line in lines if "__parentId" in line]
    assert len(children) == sum(len(o.line_items) for o in store.orders.values())
    assert statuses[-1]["rootObjectCount"] == str(len(store.orders))
    too_deep = (
        "{ orders { edges { node { fulfillmentOrders { edges { node {"
        " lineItems { edges { node { id } } } } } } } } } }"
    )
    async with sim_client(SimStore(orders=5)) as client:
        refused = (await gql(client, RUN_BULK, q=too_deep))["data"]["bulkOperationRunQuery"]
    assert refused["bulkOperation"] is None and refused["userErrors"][0]["code"] == "INVALID"


async def test_a_bulk_operation_runs_in_the_background_while_the_store_answers_other_requests() -> None:
    """As Shopify's: the store reads the result a page at a time after answering the start, so other
    requests (here: a poll, an ordinary query) are answered meanwhile, and the poll counts progress."""
    store = SimStore(orders=600, seed=7)
    async with sim_client(store) as client:
        bulk = client.app_state.bulk  # type: ignore[attr-defined]
        first_page_read, go_on = paused_after_the_first_page(bulk)
        started = (await gql(client, RUN_BULK, q=ORDERS_WITH_LINES))["data"]["bulkOperationRunQuery"]
        assert await asyncio.to_thread(first_page_read.wait, 30)
        running = (await gql(client, POLL_BULK, id=started["bulkOperation"]["id"]))["data"]["bulkOperation"]
        other = await gql(client, "{ locations(first: 5) { nodes { id } } }")
        go_on.set()
        bulk.wait_idle(30)
        done = (await gql(client, POLL_BULK, id=started["bulkOperation"]["id"]))["data"]["bulkOperation"]
    assert running["status"] == "RUNNING" and running["url"] is None
    assert sim_bulk.BULK_PAGE < int(running["objectCount"]) < int(done["objectCount"])  # a page, its lines
    assert other["data"]["locations"]["nodes"]
    assert done["status"] == "COMPLETED" and done["rootObjectCount"] == "600"


def paused_after_the_first_page(bulk: Any) -> tuple[threading.Event, threading.Event]:
    """Make the operation's worker stop before its second page: (first page read, go on)."""
    read_page, first_page_read, go_on = bulk.execute, threading.Event(), threading.Event()

    def execute(document: Any, variables: dict[str, Any]) -> dict[str, Any]:
        if variables.get("after") is not None:
            first_page_read.set()
            assert go_on.wait(30)
        return read_page(document, variables)

    bulk.execute = execute
    return first_page_read, go_on


def test_a_store_that_is_never_idle_still_gets_its_operations_done() -> None:
    store = SimStore(orders=300, seed=8)
    app = create_app(store)
    bulk, service = app.state.bulk, app.state.service
    with bulk.giving_way():  # requests without end
        job, _ = bulk.start(service.schema, documents.bulk_query("bulk_orders"), store.new_id())
        bulk.wait_idle(30)
        assert job.status == "COMPLETED" and job.root_object_count == "300"


async def test_the_store_holds_its_bulk_work_back_while_it_answers_a_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sim_bulk, "GIVE_WAY_S", 30.0)
    store = SimStore(orders=300, seed=8)
    async with sim_client(store) as client:
        bulk, faults = client.app_state.bulk, client.app_state.faults  # type: ignore[attr-defined]
        first_page_read, go_on = paused_after_the_first_page(bulk)
        await gql(client, RUN_BULK, q=ORDERS_WITH_LINES)
        assert await asyncio.to_thread(first_page_read.wait, 30)
        faults.profile = FaultProfile(slow=1.0, slow_seconds=1.0)  # the next answer takes a second
        answering = asyncio.create_task(gql(client, "{ locations(first: 5) { nodes { id } } }"))
        await until("the answer is under way", lambda: faults.fired["slow"] == 1)
        go_on.set()  # the second page is read; the third waits for the answer
        await asyncio.sleep(0.5)  # long enough for the worker to read every page, were it not waiting
        assert not answering.done()
        (job,) = bulk.jobs.values()
        read_meanwhile = int(job.object_count)
        await answering
        bulk.wait_idle(30)
    assert read_meanwhile < int(job.object_count) and job.status == "COMPLETED"


def test_an_operation_whose_work_breaks_ends_failed_instead_of_running_forever() -> None:
    store = SimStore(orders=30, seed=8)
    app = create_app(store)
    bulk, service = app.state.bulk, app.state.service

    def broken(document: Any, variables: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("a fault of the simulator's own")

    bulk.execute = broken
    job, _ = bulk.start(service.schema, documents.bulk_query("bulk_orders"), store.new_id())
    bulk.wait_idle(30)
    assert (job.status, job.error_code, job.url) == ("FAILED", "INTERNAL_SERVER_ERROR", None)
