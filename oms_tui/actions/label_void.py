"""Void a bought label that will not be used: ask the carrier for the money back. The refund is
submitted first and confirmed by the carrier later; the label's exception stays open until then."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from oms_tui.actions.base import Outcome, Payload, Verdict
from oms_tui.actions.carrier_action import CarrierActionType
from oms_tui.actions.permissions import Permission
from oms_tui.cache.enums import ActionKind, ExceptionKind, ExceptionState, LabelState
from oms_tui.cache.label_spend import LabelCost, count_change
from oms_tui.cache.models import FloorException, OutboxAction, ShippingLabel
from oms_tui.cache.types import utcnow
from oms_tui.carriers.base import Carrier


class LabelVoidPayload(Payload):
    label_id: int
    shipment_id: str
    tracking_number: str
    reason: str


class LabelVoid(CarrierActionType[LabelVoidPayload]):
    kind = ActionKind.LABEL_VOID
    payload_model = LabelVoidPayload
    permission = Permission.SHIP
    label = "label refund"

    def timeline(self, payload: LabelVoidPayload, locations: Mapping[str, str]) -> str:
        return f"voided label {payload.tracking_number} ({payload.reason})"

    def send(self, carrier: Carrier, payload: LabelVoidPayload) -> dict[str, Any]:
        return {"refundStatus": carrier.refund(payload.shipment_id).refund_status}

    def look(self, carrier: Carrier, payload: LabelVoidPayload) -> Verdict:
        shipment = carrier.retrieve(payload.shipment_id)
        if shipment.refund_status:
            return Verdict(
                Outcome.APPLIED, "refund asked at the carrier", {"refundStatus": shipment.refund_status}
            )
        if not shipment.bought:
            return Verdict(Outcome.IMPOSSIBLE, "the carrier has no postage on this shipment to refund")
        return Verdict(Outcome.ABSENT)

    def duplicate_of_applied(self, code: str) -> bool:
        return code == "SHIPMENT.REFUND.EXISTS"

    def settled(self, session: Session, action: OutboxAction) -> None:
        label = session.get(ShippingLabel, self.read(action.payload).label_id)
        if label is not None:
            refund_seen(session, label, (action.result or {}).get("refundStatus"))


def refund_seen(session: Session, label: ShippingLabel, status: str | None) -> None:
    """The carrier's refund status of a voided label; a confirmed refund closes its exception."""
    status = status or label.refund_status
    refunded = status == "refunded"
    while label.state == LabelState.VOIDING and label.refund_status != status:
        was = LabelCost.of(label)
        moved = session.connection().execute(  # once, whoever else hears the carrier at the same moment
            update(ShippingLabel)
            .where(
                col(ShippingLabel.id) == label.id,
                col(ShippingLabel.state) == LabelState.VOIDING,
                col(ShippingLabel.refund_status).is_not_distinct_from(label.refund_status),
            )
            .values(
                refund_status=status,
                **({"state": LabelState.VOIDED, "voided_at": utcnow()} if refunded else {}),
            )
        )
        session.refresh(label)  # as changed here, or by the other station (then looked at again)
        if moved.rowcount == 1:  # its cost refunded, still waiting, or kept by the carrier
            count_change(session.connection(), was, LabelCost.of(label))
    if not refunded:
        return
    for problem in session.exec(
        select(FloorException).where(
            FloorException.subject == f"label:{label.id}", FloorException.state != ExceptionState.RESOLVED
        )
    ):
        problem.state, problem.resolution, problem.resolved_at = ExceptionState.RESOLVED, "refunded", utcnow()


def unused_label_exception(label: ShippingLabel, order_name: str, why: str) -> FloorException:
    return FloorException(
        kind=ExceptionKind.LABEL_UNUSED,
        severity="warning",
        order_id=label.order_id,
        subject=f"label:{label.id}",
        message=f"{order_name}: label {label.tracking_number} ({label.carrier} {label.price} "
        f"{label.currency}) not used ({why}): refund asked, not yet confirmed",
        fix="The carrier confirms refunds within days; `oms-tui labels refunds` asks again",
    )


LABEL_VOID = LabelVoid()
