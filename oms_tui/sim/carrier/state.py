"""The imitation's state: shipments, addresses, scan forms, the ledger of charges and refunds, and
the fault switches. Every change happens under one lock (stations call it from many threads).

Faults (`CarrierFaults`), for tests and benchmarks: `queue(operation, fault)` makes the next request of
that operation (`shipment.create`, `shipment.buy`, `shipment.retrieve`, `shipment.refund`,
`address.create`, `scan_form.create`, or `*`) fail as:
- `reject:CODE` a 422 with that error code (nothing done),
- `busy` a 429 rate limit (nothing done),
- `down` a 503 (nothing done),
- `slow` done, answered after `slow_seconds` (a client that gave up does not know it was done),
- `lost` done, then the connection drops before the answer.
`lose_buys` is the chance (seeded) that any purchase's answer is lost.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from oms_tui.sim.carrier.rates import SERVICES, quote
from oms_tui.sim.carrier.tracking import tracking_number

DEMO_API_KEY = "EZTK_simulator_demo_key"
FAULTS = ("busy", "down", "slow", "lost")


class CarrierRefusal(Exception):
    """A request the imitation answers with an EasyPost error (status, code, message)."""

    def __init__(self, status: int, code: str, message: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors or []

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "errors": self.errors}}


@dataclass
class CarrierFaults:
    slow_seconds: float = 3.0
    lose_buys: float = 0.0
    seed: int = 11
    fired: Counter[str] = field(default_factory=Counter)
    _queued: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def queue(self, operation: str, fault: str, times: int = 1) -> None:
        if fault not in FAULTS and not fault.startswith("reject:"):
            raise ValueError(f"unknown carrier fault {fault!r}")
        self._queued.setdefault(operation, []).extend([fault] * times)

    def draw(self, operation: str) -> str | None:
        for key in (operation, "*"):
            waiting = self._queued.get(key)
            if waiting:
                fault = waiting.pop(0)
                self.fired[fault.split(":")[0]] += 1
                return fault
        if operation == "shipment.buy" and self.lose_buys and self._rng.random() < self.lose_buys:
            self.fired["lost"] += 1
            return "lost"
        return None


class CarrierSim:
    """`path`: a JSON file the imitation keeps its shipments, forms and ledger in (the demo's, so a
    label bought by one `oms-tui` command can be voided by the next); None: in memory."""

    def __init__(self, api_key: str = DEMO_API_KEY, seed: int = 7, path: Path | None = None) -> None:
        self.api_key, self.path = api_key, path
        self.lock = threading.Lock()
        self.faults = CarrierFaults()
        self._rng = random.Random(seed)
        self.shipments: dict[str, dict[str, Any]] = {}
        self.scan_forms: dict[str, dict[str, Any]] = {}
        self.files: dict[str, tuple[str, dict[str, Any]]] = {}  # file name -> (kind, object)
        self.ledger: list[dict[str, Any]] = []
        self.requests: Counter[str] = Counter()
        self.latency: dict[str, float] = {}  # seconds each operation takes to answer (as a carrier's do)
        # (operation, id of what it answered, seconds from its request to its answer): its own time
        self.answered: list[tuple[str, str, float]] = []
        if path is not None and path.exists():
            self._load(path)

    def _load(self, path: Path) -> None:
        kept = json.loads(path.read_text(encoding="utf-8"))
        self.shipments, self.scan_forms, self.ledger = kept["shipments"], kept["scan_forms"], kept["ledger"]
        objects = {**self.shipments, **self.scan_forms}
        self.files = {name: (kind, objects[ident]) for name, (kind, ident) in kept["files"].items()}
        version, state, gauss = kept["rng"]
        self._rng.setstate((version, tuple(state), gauss))

    def _keep(self) -> None:
        """Write the state to `path` (under the lock, after every change), whole or not at all."""
        if self.path is None:
            return
        kept = {
            "shipments": self.shipments,
            "scan_forms": self.scan_forms,
            "ledger": self.ledger,
            "files": {name: (kind, thing["id"]) for name, (kind, thing) in self.files.items()},
            "rng": self._rng.getstate(),
        }
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps(kept), encoding="utf-8")
        partial.replace(self.path)

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{self._rng.getrandbits(128):032x}"

    @staticmethod
    def now() -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    # Shipments

    def create_shipment(self, params: dict[str, Any]) -> dict[str, Any]:
        to, sender, parcel = (params.get(key) for key in ("to_address", "from_address", "parcel"))
        missing = [
            name
            for name, value in (("to_address", to), ("from_address", sender), ("parcel", parcel))
            if not isinstance(value, dict)
        ]
        if missing:
            raise CarrierRefusal(422, "PARAMETER.REQUIRED", f"Missing required parameter: {missing[0]}")
        assert isinstance(to, dict) and isinstance(sender, dict) and isinstance(parcel, dict)
        for name, address in (("to_address", to), ("from_address", sender)):
            if not address.get("street1") or not address.get("zip"):
                raise CarrierRefusal(422, "ADDRESS.VERIFY.FAILURE", f"{name}: street1 and zip are required")
        options = params.get("options") if isinstance(params.get("options"), dict) else {}
        label_format = str((options or {}).get("label_format") or "PDF").upper()
        if label_format not in ("PDF", "ZPL", "PNG"):
            raise CarrierRefusal(
                422, "SHIPMENT.OPTIONS.INVALID", f"label_format {label_format} is not offered"
            )
        with self.lock:
            ident = self._id("shp")
            to_address = {"id": self._id("adr"), "object": "Address", **to}
            from_address = {"id": self._id("adr"), "object": "Address", **sender}
            rates = [
                {
                    "id": self._id("rate"),
                    "object": "Rate",
                    "shipment_id": ident,
                    "mode": "test",
                    **quote(service, parcel, sender, to),
                }
                for service in SERVICES
            ]
            shipment = {
                "id": ident,
                "object": "Shipment",
                "mode": "test",
                "created_at": self.now(),
                "reference": params.get("reference"),
                "status": "unknown",
                "to_address": to_address,
                "from_address": from_address,
                "parcel": {"id": self._id("prcl"), "object": "Parcel", **parcel},
                "options": {**(options or {}), "label_format": label_format},
                "rates": rates,
                "selected_rate": None,
                "postage_label": None,
                "tracking_code": None,
                "refund_status": None,
                "scan_form": None,
                "messages": [],
            }
            self.shipments[ident] = shipment
            self._keep()
            return shipment

    def shipment(self, ident: str) -> dict[str, Any]:
        shipment = self.shipments.get(ident)
        if shipment is None:
            raise CarrierRefusal(404, "NOT_FOUND", "The requested resource could not be found.")
        # A submitted refund is confirmed by the carrier by the time anyone looks again.
        with self.lock:
            if shipment["refund_status"] == "submitted":
                self._refunded(shipment)
                self._keep()
        return shipment

    def buy(self, ident: str, params: dict[str, Any], base_url: str) -> dict[str, Any]:
        shipment = self.shipment(ident)
        rate_id = (params.get("rate") or {}).get("id") if isinstance(params.get("rate"), dict) else None
        with self.lock:  # one purchase per shipment, whatever arrives at once
            if shipment["postage_label"] is not None:
                raise CarrierRefusal(422, "SHIPMENT.POSTAGE.EXISTS", "Shipment already has postage.")
            rate = next((rate for rate in shipment["rates"] if rate["id"] == rate_id), None)
            if rate is None:
                raise CarrierRefusal(422, "SHIPMENT.RATE.INVALID", "The rate is not one of this shipment's.")
            fmt = shipment["options"]["label_format"]
            label_id = self._id("pl")
            ext = "zpl" if fmt == "ZPL" else "pdf"
            url = f"{base_url}/easypost/files/{label_id}.{ext}"
            shipment.update(
                selected_rate=rate,
                tracking_code=tracking_number(rate["carrier"], self._rng),
                status="pre_transit",
                postage_label={
                    "id": label_id,
                    "object": "PostageLabel",
                    "created_at": self.now(),
                    "label_date": self.now(),
                    "label_size": "4x6",
                    "label_file_type": f"application/{ext}",
                    "label_url": url,
                    "label_pdf_url": url if ext == "pdf" else None,
                    "label_zpl_url": url if ext == "zpl" else None,
                },
            )
            self.files[f"{label_id}.{ext}"] = ("label", shipment)
            self.ledger.append(
                {
                    "type": "charge",
                    "shipment_id": ident,
                    "rate_id": rate["id"],
                    "tracking_code": shipment["tracking_code"],
                    "carrier": rate["carrier"],
                    "amount": rate["rate"],
                    "currency": rate["currency"],
                    "reference": shipment["reference"],
                    "at": self.now(),
                }
            )
            self._keep()
            return shipment

    def refund(self, ident: str) -> dict[str, Any]:
        shipment = self.shipment(ident)
        with self.lock:
            if shipment["postage_label"] is None:
                raise CarrierRefusal(422, "SHIPMENT.REFUND.UNAVAILABLE", "Shipment has no postage to refund.")
            if shipment["refund_status"] is not None:
                raise CarrierRefusal(
                    422,
                    "SHIPMENT.REFUND.EXISTS",
                    f"A refund was already requested ({shipment['refund_status']}).",
                )
            if shipment["scan_form"] is not None:
                raise CarrierRefusal(
                    422, "SHIPMENT.REFUND.SCANNED", "The label is on a scan form: it was used."
                )
            shipment["refund_status"] = "submitted"
            self._keep()
            return shipment

    def _refunded(self, shipment: dict[str, Any]) -> None:
        shipment["refund_status"] = "refunded"
        rate = shipment["selected_rate"]
        self.ledger.append(
            {
                "type": "refund",
                "shipment_id": shipment["id"],
                "rate_id": rate["id"],
                "tracking_code": shipment["tracking_code"],
                "carrier": rate["carrier"],
                "amount": rate["rate"],
                "currency": rate["currency"],
                "reference": shipment["reference"],
                "at": self.now(),
            }
        )

    # Addresses

    def verify_address(self, params: dict[str, Any]) -> dict[str, Any]:
        """Deterministic checks: a street with "nowhere" in it or ZIP 00000 is not found; a ZIP that lost
        its leading zero (4 digits) is corrected; streets and cities come back as the post writes them."""
        given = {key: str(value) for key, value in params.items() if isinstance(value, str | int)}
        found = {**given}
        errors: list[dict[str, Any]] = []
        street = given.get("street1", "")
        zip_code = given.get("zip", "").strip()
        if not street:
            errors.append({"code": "E.ADDRESS.INVALID", "field": "street1", "message": "Street is missing"})
        elif "nowhere" in street.lower() or zip_code == "00000":
            errors.append({"code": "E.ADDRESS.NOT_FOUND", "field": "address", "message": "Address not found"})
        if zip_code.isdigit() and len(zip_code) == 4:
            found["zip"] = f"0{zip_code}"
        elif not zip_code:
            errors.append({"code": "E.ADDRESS.INVALID", "field": "zip", "message": "ZIP code is missing"})
        for key in ("street1", "street2", "city", "state"):
            if found.get(key):
                found[key] = " ".join(found[key].upper().split())
        with self.lock:
            return {
                "id": self._id("adr"),
                "object": "Address",
                "mode": "test",
                "created_at": self.now(),
                **found,
                "verifications": {
                    "delivery": {"success": not errors, "errors": errors, "details": {}},
                    "zip4": {"success": not errors, "errors": [], "details": None},
                },
            }

    # Scan forms

    def scan_form(self, params: dict[str, Any], base_url: str) -> dict[str, Any]:
        wanted = [item.get("id") for item in params.get("shipments") or [] if isinstance(item, dict)]
        if not wanted:
            raise CarrierRefusal(422, "SCAN_FORM.SHIPMENTS.REQUIRED", "A scan form needs shipments.")
        shipments = [self.shipment(str(ident)) for ident in wanted]
        with self.lock:
            for shipment in shipments:
                if shipment["postage_label"] is None or shipment["refund_status"] is not None:
                    raise CarrierRefusal(
                        422, "SCAN_FORM.SHIPMENT.INVALID", f"{shipment['id']} has no live postage."
                    )
                if shipment["scan_form"] is not None:
                    raise CarrierRefusal(
                        422, "SCAN_FORM.ALREADY_EXISTS", f"{shipment['id']} is on a scan form already."
                    )
            if len({shipment["selected_rate"]["carrier"] for shipment in shipments}) > 1:
                raise CarrierRefusal(422, "SCAN_FORM.CARRIER.MIXED", "A scan form is for one carrier.")
            ident = self._id("sf")
            form = {
                "id": ident,
                "object": "ScanForm",
                "mode": "test",
                "status": "created",
                "created_at": self.now(),
                "tracking_codes": [shipment["tracking_code"] for shipment in shipments],
                "form_url": f"{base_url}/easypost/files/{ident}.pdf",
                "form_file_type": "application/pdf",
                "address": shipments[0]["from_address"],
                "batch_id": None,
                "message": None,
            }
            for shipment in shipments:
                shipment["scan_form"] = {"id": ident, "object": "ScanForm"}
            self.scan_forms[ident] = form
            self.files[f"{ident}.pdf"] = ("scan_form", form)
            self._keep()
            return form

    def ledger_summary(self) -> dict[str, Any]:
        with self.lock:
            entries = list(self.ledger)
        charged = sum((Decimal(e["amount"]) for e in entries if e["type"] == "charge"), Decimal(0))
        refunded = sum((Decimal(e["amount"]) for e in entries if e["type"] == "refund"), Decimal(0))
        return {
            "entries": entries,
            "charged": str(charged),
            "refunded": str(refunded),
            "net": str(charged - refunded),
        }
