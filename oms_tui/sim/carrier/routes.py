"""The imitation's HTTP side: the paths and answers of EasyPost's v2 API that the SDK uses for labels,
the label and form files its answers link to, and `GET /__ledger`."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from oms_tui.sim.carrier.state import CarrierRefusal, CarrierSim

PREFIX = "/easypost/v2"
Handler = Callable[[Request, dict[str, Any]], dict[str, Any]]


def carrier_routes(sim: CarrierSim, dropped: Callable[[], Response]) -> list[BaseRoute]:
    """`dropped`: a response that dies mid-body (the simulator's way to lose an answer)."""
    rendered: dict[str, bytes] = {}

    def endpoint(operation: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def answer(request: Request) -> Response:
            if request.headers.get("authorization") != f"Bearer {sim.api_key}":
                refusal = CarrierRefusal(401, "APIKEY.INACTIVE", "The API key provided is not valid.")
                return JSONResponse(refusal.body(), status_code=401)
            try:
                raw = await request.body()
            except ClientDisconnect:
                return Response(status_code=499)
            try:
                params = json.loads(raw) if raw else dict(request.query_params)
            except ValueError:
                return JSONResponse(
                    CarrierRefusal(400, "BAD_REQUEST", "Invalid JSON").body(), status_code=400
                )
            sim.requests[operation] += 1
            started = time.perf_counter()
            if sim.latency.get(operation):  # a real carrier's own time to answer
                await asyncio.sleep(sim.latency[operation])
            fault = sim.faults.draw(operation)
            if fault == "busy":
                refusal = CarrierRefusal(429, "RATE_LIMITED", "Too many requests: slow down.")
                return JSONResponse(refusal.body(), status_code=429)
            if fault == "down":
                refusal = CarrierRefusal(503, "SERVICE.UNAVAILABLE", "Service temporarily unavailable.")
                return JSONResponse(refusal.body(), status_code=503)
            if fault and fault.startswith("reject:"):
                code = fault.split(":", 1)[1]
                return JSONResponse(CarrierRefusal(422, code, f"Refused ({code}).").body(), status_code=422)
            try:
                result = handler(request, params if isinstance(params, dict) else {})
            except CarrierRefusal as refusal:
                return JSONResponse(refusal.body(), status_code=refusal.status)
            if fault == "slow":  # done, but answered after the client's timeout
                await asyncio.sleep(sim.faults.slow_seconds)
            if operation == "shipment.buy":  # the label is made by the purchase, as a carrier's is
                name = result["postage_label"]["label_url"].rsplit("/", 1)[1]
                await run_in_threadpool(render, name)
            sim.answered.append((operation, str(result.get("id") or ""), time.perf_counter() - started))
            if fault == "lost":
                return dropped()
            status = 201 if request.method == "POST" and operation.endswith("create") else 200
            return JSONResponse(result, status_code=status)

        return answer

    def base(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    def create_address(request: Request, params: dict[str, Any]) -> dict[str, Any]:
        address = params.get("address") if isinstance(params.get("address"), dict) else {}
        checked = sim.verify_address(address or {})
        if not (params.get("verify") or params.get("verify_strict")):
            checked.pop("verifications")
        elif params.get("verify_strict") and not checked["verifications"]["delivery"]["success"]:
            errors = checked["verifications"]["delivery"]["errors"]
            raise CarrierRefusal(422, "ADDRESS.VERIFY.FAILURE", "Unable to verify address.", errors)
        return checked

    def create_and_verify(request: Request, params: dict[str, Any]) -> dict[str, Any]:
        address = params.get("address") if isinstance(params.get("address"), dict) else {}
        checked = sim.verify_address(address or {})
        if not checked["verifications"]["delivery"]["success"]:
            errors = checked["verifications"]["delivery"]["errors"]
            raise CarrierRefusal(422, "ADDRESS.VERIFY.FAILURE", "Unable to verify address.", errors)
        return {"address": checked}

    routes: list[tuple[str, str, str, Handler]] = [
        ("/shipments", "POST", "shipment.create", lambda r, p: sim.create_shipment(_inner(p, "shipment"))),
        ("/shipments/{ident}", "GET", "shipment.retrieve", lambda r, p: sim.shipment(r.path_params["ident"])),
        (
            "/shipments/{ident}/buy",
            "POST",
            "shipment.buy",
            lambda r, p: sim.buy(r.path_params["ident"], p, base(r)),
        ),
        (
            "/shipments/{ident}/refund",
            "POST",
            "shipment.refund",
            lambda r, p: sim.refund(r.path_params["ident"]),
        ),
        ("/addresses", "POST", "address.create", create_address),
        ("/addresses/create_and_verify", "POST", "address.create", create_and_verify),
        (
            "/scan_forms",
            "POST",
            "scan_form.create",
            lambda r, p: sim.scan_form(_inner(p, "scan_form"), base(r)),
        ),
    ]

    def render(name: str) -> None:
        # ReportLab is heavy: loaded with the first label, not with the simulator (the demo's start)
        from oms_tui.sim.carrier.labels import label_pdf, label_zpl, scan_form_pdf

        kind, thing = sim.files[name]
        draw = scan_form_pdf if kind == "scan_form" else label_zpl if name.endswith(".zpl") else label_pdf
        rendered[name] = draw(thing)

    async def file(request: Request) -> Response:
        name = request.path_params["name"]
        found = sim.files.get(name)
        if found is None:
            return Response("Not Found", status_code=404)
        if name not in rendered:
            await run_in_threadpool(render, name)
        media = "application/zpl" if name.endswith(".zpl") else "application/pdf"
        return Response(rendered[name], media_type=media)

    async def ledger(request: Request) -> Response:
        return JSONResponse(sim.ledger_summary())

    return [
        *(
            Route(PREFIX + path, endpoint(op, handler), methods=[method])
            for path, method, op, handler in routes
        ),
        Route("/easypost/files/{name}", file, methods=["GET"]),
        Route("/__ledger", ledger, methods=["GET"]),
    ]


def _inner(params: dict[str, Any], name: str) -> dict[str, Any]:
    """The object the SDK wraps in its class name (`{"shipment": {...}}`)."""
    inner = params.get(name)
    return inner if isinstance(inner, dict) else {}
