"""The end of the day: one scan form (manifest) per carrier for the labels bought since `start` and
not on a form yet; the carrier's form PDF to print."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import col, select

from oms_tui.cache.enums import LabelState
from oms_tui.cache.models import ShippingLabel
from oms_tui.carriers.base import CarrierError, ScanForm
from oms_tui.floor.actions.audit import record_by
from oms_tui.floor.labels.rules import LabelProblem

if TYPE_CHECKING:
    from oms_tui.floor.labels.desk import LabelDesk


async def make_scan_forms(
    desk: LabelDesk, start: datetime, carrier: str | None = None
) -> list[tuple[ScanForm, str, int, bytes]]:
    """Each form made, with its carrier, its number of labels and its PDF."""
    with desk.cache.reads() as session:
        query = select(ShippingLabel).where(
            ShippingLabel.state == LabelState.BOUGHT,
            col(ShippingLabel.scan_form_id).is_(None),
            col(ShippingLabel.bought_at) >= start,
        )
        waiting: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for label in session.exec(query.order_by(col(ShippingLabel.id))):
            if label.carrier and (carrier is None or label.carrier.casefold() == carrier.casefold()):
                assert label.id is not None and label.shipment_id is not None
                waiting[label.carrier].append((label.id, label.shipment_id))
    made = []
    for name, labels in sorted(waiting.items()):
        try:
            form = await asyncio.to_thread(desk.carrier.scan_form, [shipment for _, shipment in labels])
            pdf = await asyncio.to_thread(desk.carrier.download, form.url) if form.url else b""
        except CarrierError as exc:
            raise LabelProblem(str(exc)) from None
        with desk.cache.sessions() as session:
            for label_id, _ in labels:
                session.get_one(ShippingLabel, label_id).scan_form_id = form.id
            record_by(
                session,
                desk.actor,
                action="label.scan_form",
                subject=form.id,
                carrier=name,
                labels=len(labels),
            )
            session.commit()
        made.append((form, name, len(labels), pdf))
    return made
