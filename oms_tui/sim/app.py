"""The simulator's ASGI app: `POST /admin/api/{version}/graphql.json`, bulk results, faults, live activity."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import httpx
from graphql import OperationType, get_operation_ast, parse
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from oms_tui.sim.bulk import BulkOperations
from oms_tui.sim.carrier.routes import carrier_routes
from oms_tui.sim.carrier.state import CarrierSim
from oms_tui.sim.executor import GraphQLService
from oms_tui.sim.faults import HTML_ERROR, FaultProfile, Faults
from oms_tui.sim.mailbox import Mailbox
from oms_tui.sim.saved_shop import SavedShopFile, ShopNotSaved
from oms_tui.sim.store import SimStore
from oms_tui.sim.throttle import PLANS, LeakyBucket

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "shpat_simulator_demo_token"
SUPPORTED_VERSIONS = ("2025-04", "2025-07", "2025-10", "2026-01", "2026-04")
RELEASE = re.compile(r"^\d{4}-(01|04|07|10)$")
CLIENT_CLOSED_REQUEST = 499  # as nginx logs it: no response is ever sent
INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


class InjectedDrop(httpx.RemoteProtocolError):
    """A connection the simulator drops on purpose (see `sim.server.quiet_injected_drops`)."""


class DroppedConnection(Response):
    """Starts a response, then dies mid-body: clients see a transport error (httpx.RemoteProtocolError)."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"data":{"or', "more_body": True})
        raise InjectedDrop("peer closed connection without sending complete message body")


def served_version(requested: str) -> str | None:
    """The version Shopify answers a request for `requested` with: an old release falls forward to the
    oldest supported one; an unknown one is not found (None)."""
    if requested in SUPPORTED_VERSIONS:
        return requested
    if RELEASE.match(requested) and requested < SUPPORTED_VERSIONS[0]:
        return SUPPORTED_VERSIONS[0]
    return None


def _is_mutation(body: dict[str, Any]) -> bool:
    try:
        operation = get_operation_ast(parse(body.get("query") or ""), body.get("operationName"))
    except Exception:  # an unparsable document is answered by the executor, never dropped
        return False
    return operation is not None and operation.operation == OperationType.MUTATION


def create_app(
    store: SimStore,
    token: str = DEFAULT_TOKEN,
    plan: str = "standard",
    restore_rate: float | None = None,
    bucket: float | None = None,
    faults: str | FaultProfile = "none",
    fault_seed: int | None = None,
    bucket_clock: Callable[[], float] = time.monotonic,
    live: bool = False,
    live_rate: float = 1.0,
    saved: SavedShopFile | None = None,
    mailbox: Mailbox | None = None,
    carrier: CarrierSim | None = None,
) -> Starlette:
    """The simulator as an ASGI app. `app.state.faults` holds the fault switches (`outage`,
    `drop_after_mutations`, `deprecated_reason`, `deprecation_notes`), `app.state.service.buckets` the
    token buckets, `app.state.store` the store. `live` runs `live_rate` events/s while served by uvicorn
    (ASGI lifespan). `saved` keeps the store in its file after every change, before it is answered.
    `mailbox`, the demo's, is listed at `GET /__mail`.
    `app.state.carrier` is the EasyPost imitation (`carrier`, or a new one) served beside the store."""

    def keep() -> None:
        if saved is not None:
            saved.save_if_changed(store)

    default_rate, default_size = PLANS[plan]
    rate = default_rate if restore_rate is None else restore_rate
    size = default_size if bucket is None and restore_rate is None else bucket or rate * 20
    fault_box = Faults(faults, store.seed if fault_seed is None else fault_seed)
    if fault_box.profile.search_lag_seconds and not store.search_lag:
        store.search_lag = timedelta(seconds=fault_box.profile.search_lag_seconds)
    bulk = BulkOperations(store.now)
    carrier_box = carrier or CarrierSim(seed=store.seed)
    service = GraphQLService(store, lambda: LeakyBucket(rate, size, bucket_clock), bulk)
    bulk.execute = service.run_unmetered

    async def graphql(request: Request) -> Response:
        version = served_version(request.path_params["version"])
        if version is None:
            return PlainTextResponse("Not Found", status_code=404)
        with bulk.giving_way():
            response = await answer(request)
        try:
            keep()
        except ShopNotSaved as exc:  # the answer could show a change the file does not have: withheld
            log.warning("%s", exc)
            return HTMLResponse(HTML_ERROR.format(status=503, reason="Service Unavailable"), status_code=503)
        response.headers["X-Shopify-API-Version"] = version
        if fault_box.deprecated_reason:
            response.headers["X-Shopify-API-Deprecated-Reason"] = fault_box.deprecated_reason
        return response

    async def answer(request: Request) -> Response:
        caller = request.headers.get("x-shopify-access-token")
        if caller != token:
            return JSONResponse(INVALID_TOKEN, status_code=401)
        bulk.base_url = str(request.base_url).rstrip("/")
        fault = fault_box.before_request()
        if fault == "server_error":
            status = fault_box.error_status()
            return HTMLResponse(HTML_ERROR.format(status=status, reason="Server Error"), status_code=status)
        if fault == "unavailable":
            return HTMLResponse(
                HTML_ERROR.format(status=503, reason="Service Unavailable"),
                status_code=503,
                headers={"Retry-After": "1"},
            )
        if fault == "dropped":
            return DroppedConnection()
        if fault == "slow":
            await asyncio.sleep(fault_box.profile.slow_seconds)
        try:
            body = json.loads(await request.body())
        except ClientDisconnect:  # the client went away (an app quitting mid-sync): nobody to answer
            return Response(status_code=CLIENT_CLOSED_REQUEST)
        except ValueError:
            return JSONResponse({"errors": [{"message": "Invalid JSON in request body"}]}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"errors": [{"message": "Invalid JSON in request body"}]}, status_code=400)
        if fault == "throttled":
            return JSONResponse(service.throttled(caller, service.price(body)[1]))
        result = service.run(caller, body)
        if "data" in result and _is_mutation(body) and fault_box.drop_after_mutation():
            return DroppedConnection()
        if fault_box.deprecation_notes:
            result.setdefault("extensions", {})["deprecations"] = [
                {"message": note} for note in fault_box.deprecation_notes
            ]
        return JSONResponse(result)

    async def bulk_result(request: Request) -> Response:
        text = bulk.results.get(request.path_params["name"])
        if text is None:
            return PlainTextResponse("Not Found", status_code=404)
        return PlainTextResponse(text, media_type="application/jsonl")

    async def mail(request: Request) -> Response:
        if mailbox is None:
            return PlainTextResponse("Not Found", status_code=404)
        return JSONResponse(mailbox.listing())

    async def inventory_ledger(request: Request) -> Response:
        """Every inventory change the store made, oldest first: what a test compares with the floor's."""
        if request.headers.get("x-shopify-access-token") != token:
            return JSONResponse(INVALID_TOKEN, status_code=401)
        with store.lock:
            entries = [entry.as_json() for entry in store.inventory_book.ledger]
        return JSONResponse({"entries": entries})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        driver = asyncio.create_task(_drive_live(store, live_rate, keep)) if live and live_rate > 0 else None
        yield
        if driver is not None:
            driver.cancel()
        if saved is not None:
            try:
                saved.close(store)
            except ShopNotSaved as exc:
                log.warning("%s", exc)

    app = Starlette(
        routes=[
            Route("/admin/api/{version}/graphql.json", graphql, methods=["POST"]),
            Route("/bulk/{name}.jsonl", bulk_result, methods=["GET"]),
            Route("/__mail", mail, methods=["GET"]),
            Route("/__inventory_ledger", inventory_ledger, methods=["GET"]),
            *carrier_routes(carrier_box, DroppedConnection),
        ],
        lifespan=lifespan,
    )
    app.state.store, app.state.service, app.state.faults, app.state.bulk = store, service, fault_box, bulk
    app.state.carrier = carrier_box
    return app


async def _drive_live(store: SimStore, events_per_second: float, keep: Callable[[], None]) -> None:
    while True:
        await asyncio.sleep(1 / events_per_second)
        store.live_step(1)
        try:
            keep()
        except ShopNotSaved as exc:  # tried again after the next event
            log.warning("%s", exc)
