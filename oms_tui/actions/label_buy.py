"""Buy a shipping label: the rate chosen for a shipment already created at the carrier (its id is in
the cache). A shipment is bought at most once, and the carrier says so: a second purchase is refused
with SHIPMENT.POSTAGE.EXISTS, which sends the outbox to read the shipment back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from oms_tui.actions.base import Outcome, Payload, Verdict
from oms_tui.actions.carrier_action import CarrierActionType
from oms_tui.actions.permissions import Permission
from oms_tui.cache.enums import ActionKind, LabelState
from oms_tui.cache.label_spend import counting_spend
from oms_tui.cache.models import OutboxAction, ShippingLabel
from oms_tui.cache.types import utcnow
from oms_tui.carriers.base import Carrier, Shipment


class LabelBuyPayload(Payload):
    label_id: int
    shipment_id: str
    rate_id: str
    rate: str = ""  # the rate in words, for the timeline: "USPS Priority 12.25 USD, 2 day(s)"


class LabelBuy(CarrierActionType[LabelBuyPayload]):
    kind = ActionKind.LABEL_BUY
    payload_model = LabelBuyPayload
    permission = Permission.SHIP
    label = "label purchase"

    def timeline(self, payload: LabelBuyPayload, locations: Mapping[str, str]) -> str:
        return f"bought a label: {payload.rate or payload.rate_id}"

    def send(self, carrier: Carrier, payload: LabelBuyPayload) -> dict[str, Any]:
        return bought(carrier.buy(payload.shipment_id, payload.rate_id))

    def look(self, carrier: Carrier, payload: LabelBuyPayload) -> Verdict:
        shipment = carrier.retrieve(payload.shipment_id)
        if shipment.bought:
            return Verdict(Outcome.APPLIED, "bought at the carrier", bought(shipment))
        return Verdict(Outcome.ABSENT)

    def duplicate_of_applied(self, code: str) -> bool:
        return code == "SHIPMENT.POSTAGE.EXISTS"

    def settled(self, session: Session, action: OutboxAction) -> None:
        result = action.result or {}
        label = session.get(  # locked: another pusher finishing it too waits, then finds it bought
            ShippingLabel, self.read(action.payload).label_id, with_for_update=True, populate_existing=True
        )
        if label is None or "trackingNumber" not in result:
            return
        with counting_spend(session, label):
            # The shipment paid for, even if the label was rated again meanwhile (a station that
            # took it over while this purchase's answer was lost): the record says what was bought.
            label.shipment_id = self.read(action.payload).shipment_id
            label.state, label.bought_at = LabelState.BOUGHT, label.bought_at or utcnow()
            label.tracking_number, label.label_url = result["trackingNumber"], result["labelUrl"]
            label.carrier, label.service = result["carrier"], result["service"]
            label.rate_id, label.price, label.currency = result["rateId"], result["price"], result["currency"]

    def rejected(self, session: Session, action: OutboxAction, message: str) -> None:
        label = session.get(ShippingLabel, self.read(action.payload).label_id)
        if label is not None and label.state == LabelState.BUYING:
            label.state, label.void_reason = (
                LabelState.DROPPED,
                f"the carrier refused the purchase: {message}",
            )


def bought(shipment: Shipment) -> dict[str, Any]:
    """What the cache keeps of a bought shipment (the outbox action's result)."""
    label = shipment.label
    assert label is not None
    return {
        "shipmentId": shipment.id,
        "trackingNumber": label.tracking,
        "carrier": label.carrier,
        "service": label.service,
        "rateId": shipment.rate_id,
        "price": str(label.price),
        "currency": label.currency,
        "labelUrl": label.url,
        "labelFormat": label.format.value,
    }


LABEL_BUY = LabelBuy()
