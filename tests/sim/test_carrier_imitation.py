"""The real EasyPost SDK against the simulator's imitation, through our carrier interface: rates,
purchase, address checks with corrections, refunds, scan forms, and the failures it injects."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from oms_tui.carriers.base import (
    Address,
    CarrierAuthError,
    CarrierBusy,
    CarrierRejected,
    CarrierUnreachable,
    LabelFormat,
    Parcel,
)
from oms_tui.carriers.easypost_carrier import EasyPostCarrier
from oms_tui.sim.carrier.state import DEMO_API_KEY, CarrierSim
from oms_tui.sim.server import SimServer, run_in_thread
from oms_tui.sim.store import SimStore

TO = Address("Ann Lee", "12 Elm Street", "Boston", "2134", state="MA")
FROM = Address("Shop", "1200 Harbor Blvd", "Oakland", "94607", state="CA")
BOX = Parcel(30, 22, 15, 900)


@pytest.fixture(scope="module")
def server() -> Iterator[SimServer]:
    with run_in_thread(SimStore(orders=1)) as running:
        yield running


@pytest.fixture
def carrier(server: SimServer) -> EasyPostCarrier:
    return EasyPostCarrier(SecretStr(DEMO_API_KEY), f"{server.url}/easypost/v2", timeout_s=1)


def imitation(server: SimServer) -> CarrierSim:
    sim: CarrierSim = server.app.state.carrier
    return sim


def test_rates_of_several_carriers_then_one_purchase_with_its_label(
    carrier: EasyPostCarrier, server: SimServer
) -> None:
    shipment = carrier.create_shipment(TO, FROM, BOX, reference="#1001", label_format=LabelFormat.PDF)
    assert {rate.carrier for rate in shipment.rates} == {"USPS", "UPS", "FedEx"}
    assert all(rate.delivery_days and rate.price > 0 for rate in shipment.rates)
    fastest = min(shipment.rates, key=lambda rate: (rate.delivery_days, rate.price))
    bought = carrier.buy(shipment.id, fastest.id)
    assert bought.label is not None and bought.rate_id == fastest.id and bought.label.price == fastest.price
    assert carrier.download(bought.label.url).startswith(b"%PDF")
    with pytest.raises(CarrierRejected) as refused:
        carrier.buy(shipment.id, fastest.id)
    assert refused.value.code == "SHIPMENT.POSTAGE.EXISTS" and "\n" not in str(refused.value)
    charges = [
        e for e in httpx.get(f"{server.url}/__ledger").json()["entries"] if e["shipment_id"] == shipment.id
    ]
    assert [(e["type"], Decimal(e["amount"])) for e in charges] == [("charge", fastest.price)]


def test_a_zpl_label_when_asked(carrier: EasyPostCarrier) -> None:
    shipment = carrier.create_shipment(TO, FROM, BOX, reference="#1002", label_format=LabelFormat.ZPL)
    bought = carrier.buy(shipment.id, shipment.rates[0].id)
    assert bought.label is not None and bought.label.format == LabelFormat.ZPL
    zpl = carrier.download(bought.label.url).decode()
    assert zpl.startswith("^XA") and f"^FD{bought.label.tracking}^FS" in zpl


def test_address_checks_suggest_corrections_and_refuse_what_is_not_there(carrier: EasyPostCarrier) -> None:
    corrected = carrier.verify_address(TO)
    assert corrected.deliverable and corrected.suggestion is not None and corrected.suggestion.zip == "02134"
    assert carrier.verify_address(FROM).suggestion is None, "only case differs: nothing to suggest"
    missing = carrier.verify_address(Address("X", "1 Nowhere Rd", "Reno", "89502", state="NV"))
    assert not missing.deliverable and missing.errors == ("address: Address not found",)


def test_a_refund_is_submitted_then_confirmed_and_only_once(
    carrier: EasyPostCarrier, server: SimServer
) -> None:
    shipment = carrier.create_shipment(TO, FROM, BOX, reference="#1003", label_format=LabelFormat.PDF)
    carrier.buy(shipment.id, shipment.rates[0].id)
    assert carrier.refund(shipment.id).refund_status == "submitted"
    assert carrier.retrieve(shipment.id).refund_status == "refunded"
    with pytest.raises(CarrierRejected, match="already requested"):
        carrier.refund(shipment.id)
    entries = [
        e for e in httpx.get(f"{server.url}/__ledger").json()["entries"] if e["shipment_id"] == shipment.id
    ]
    assert [e["type"] for e in entries] == ["charge", "refund"]


def test_a_scan_form_lists_the_days_labels_once(carrier: EasyPostCarrier) -> None:
    ids, codes = [], []
    for n in range(2):
        shipment = carrier.create_shipment(TO, FROM, BOX, reference=f"#20{n}", label_format=LabelFormat.PDF)
        usps = next(rate for rate in shipment.rates if rate.carrier == "USPS")
        bought = carrier.buy(shipment.id, usps.id)
        assert bought.label is not None
        ids.append(shipment.id)
        codes.append(bought.label.tracking)
    form = carrier.scan_form(ids)
    assert form.tracking_codes == tuple(codes) and carrier.download(form.url).startswith(b"%PDF")
    with pytest.raises(CarrierRejected) as again:
        carrier.scan_form(ids)
    assert again.value.code == "SCAN_FORM.ALREADY_EXISTS"


def test_injected_failures_are_our_errors_in_one_line(carrier: EasyPostCarrier, server: SimServer) -> None:
    shipment = carrier.create_shipment(TO, FROM, BOX, reference="#1004", label_format=LabelFormat.PDF)
    faults = imitation(server).faults
    faults.queue("shipment.buy", "reject:SHIPMENT.POSTAGE.FAILURE")
    with pytest.raises(CarrierRejected) as refused:
        carrier.buy(shipment.id, shipment.rates[0].id)
    assert refused.value.code == "SHIPMENT.POSTAGE.FAILURE"
    faults.queue("shipment.buy", "busy")
    with pytest.raises(CarrierBusy, match="rate limiting"):
        carrier.buy(shipment.id, shipment.rates[0].id)
    assert not carrier.retrieve(shipment.id).bought, "refused and rate limited: nothing bought"
    faults.slow_seconds = 1.5
    faults.queue("shipment.buy", "slow")
    with pytest.raises(CarrierUnreachable, match="did not answer"):
        carrier.buy(shipment.id, shipment.rates[0].id)
    faults.queue("shipment.retrieve", "lost")
    with pytest.raises(CarrierUnreachable):
        carrier.retrieve(shipment.id)
    assert carrier.retrieve(shipment.id).bought, "the purchase went through after the client gave up"
    stranger = EasyPostCarrier(SecretStr("EZTK_not_ours"), carrier.api_base)
    with pytest.raises(CarrierAuthError) as refused_key:
        stranger.retrieve(shipment.id)
    assert "EZTK" not in str(refused_key.value) and "EZTK" not in repr(stranger)


def test_the_demos_imitation_keeps_its_shipments_and_ledger_across_restarts(tmp_path: Path) -> None:
    """One `oms-tui labels buy`, then `labels void` in another process: the demo's carrier remembers."""
    kept = tmp_path / "demo.labels.json"
    first = CarrierSim(path=kept)
    shipment = first.create_shipment(
        {
            "to_address": {"street1": "1 Elm St", "zip": "02134"},
            "from_address": {"street1": "1 Main", "zip": "94607"},
            "parcel": {"weight": 20},
            "reference": "#1001",
        }
    )
    first.buy(shipment["id"], {"rate": {"id": shipment["rates"][0]["id"]}}, "http://sim")
    again = CarrierSim(path=kept)
    assert again.refund(shipment["id"])["refund_status"] == "submitted"
    assert again.shipment(shipment["id"])["refund_status"] == "refunded"
    assert [entry["type"] for entry in CarrierSim(path=kept).ledger_summary()["entries"]] == [
        "charge",
        "refund",
    ]
    other = CarrierSim(path=kept).create_shipment(
        {
            "to_address": {"street1": "1 Elm St", "zip": "02134"},
            "from_address": {"street1": "1 Main", "zip": "94607"},
            "parcel": {"weight": 20},
        }
    )
    assert other["id"] != shipment["id"], "ids go on where they were"
