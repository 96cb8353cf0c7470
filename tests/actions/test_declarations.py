"""Every kind of action declares every part, once; the outbox, the timeline and the checks read them."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, parse, validate
from pydantic import ValidationError

from oms_tui.actions.base import ActionType, Payload, Target
from oms_tui.actions.carrier_action import CarrierActionType
from oms_tui.actions.permissions import Permission
from oms_tui.actions.registry import KINDS, about, declaration
from oms_tui.cache.enums import ActionKind
from oms_tui.cache.models import OutboxAction
from oms_tui.store import documents

FO, ORDER, RETURN = "gid://shopify/FulfillmentOrder/1", "gid://shopify/Order/1", "gid://shopify/Return/1"
LINE = "gid://shopify/ReverseFulfillmentOrderLineItem/1"

# One payload of each kind, as it is recorded: a kind without a sample here fails the first test.
SAMPLES: dict[ActionKind, dict[str, Any]] = {
    ActionKind.FULFILL: {
        "fulfillmentOrderId": FO,
        "lines": [{"id": "gid://shopify/FulfillmentOrderLineItem/1", "quantity": 2}],
        "tracking": {"number": "1Z999AA10123456784", "company": "UPS", "url": None},
        "notifyCustomer": True,
        "expectedRemaining": {"gid://shopify/FulfillmentOrderLineItem/1": 0},
    },
    ActionKind.HOLD: {
        "fulfillmentOrderId": FO,
        "reason": "OTHER",
        "reasonNotes": "call first",
        "handle": "oms-1",
    },
    ActionKind.RELEASE_HOLD: {"fulfillmentOrderId": FO, "holdIds": ["gid://shopify/FulfillmentHold/1"]},
    ActionKind.MOVE: {"fulfillmentOrderId": FO, "newLocationId": "gid://shopify/Location/2"},
    ActionKind.CANCEL: {
        "orderId": ORDER,
        "reason": "CUSTOMER",
        "refund": "original",
        "restock": True,
        "notifyCustomer": True,
        "staffNote": "",
    },
    ActionKind.NOTE: {"orderId": ORDER, "note": "leave at the back door"},
    ActionKind.MESSAGE_NOTE: {
        "orderId": ORDER,
        "line": "2026-11-21 10:00 UTC S01 emailed the customer (delayed): Your order is late <1@b.test>",
    },
    ActionKind.TAGS: {"orderId": ORDER, "tags": ["rush", "gift"]},
    ActionKind.RETURN_DISPOSE: {
        "returnId": RETURN,
        "dispositions": [
            {
                "reverseFulfillmentOrderLineItemId": LINE,
                "quantity": 1,
                "dispositionType": "RESTOCKED",
                "locationId": "gid://shopify/Location/1",
            }
        ],
    },
    ActionKind.RETURN_CLOSE: {"returnId": RETURN},
    ActionKind.INVENTORY_SHIPMENT_RECEIVE: {
        "shipmentId": "gid://shopify/InventoryShipment/9200000",
        "shipmentName": "#T1001-S1",
        "lineItems": [
            {
                "shipmentLineItemId": "gid://shopify/InventoryShipmentLineItem/1",
                "quantity": 10,
                "reason": "ACCEPTED",
            },
            {
                "shipmentLineItemId": "gid://shopify/InventoryShipmentLineItem/1",
                "quantity": 2,
                "reason": "REJECTED",
            },
        ],
        "idempotencyKey": "oms-receipt-1-abcdef",
        "before": {"gid://shopify/InventoryShipmentLineItem/1": [0, 0]},
        "overReceipt": False,
    },
    ActionKind.INVENTORY_SET: {
        "inventoryItemId": "gid://shopify/InventoryItem/8",
        "locationId": "gid://shopify/Location/2",
        "sku": "TEE-BLK-M",
        "name": "on_hand",
        "quantity": 14,
        "changeFromQuantity": 15,
        "reason": "cycle_count_available",
        "referenceDocumentUri": "gid://oms-tui/Count/12",
        "idempotencyKey": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    },
    ActionKind.INVENTORY_ADJUST: {
        "inventoryItemId": "gid://shopify/InventoryItem/8",
        "locationId": "gid://shopify/Location/2",
        "sku": "TEE-BLK-M",
        "name": "available",
        "delta": -2,
        "changeFromQuantity": 12,
        "reason": "shrinkage",
        "referenceDocumentUri": "gid://oms-tui/Adjustment/1",
        "idempotencyKey": "1f1e2d3c4b5a69788796a5b4c3d2e1f0",
    },
    ActionKind.INVENTORY_MOVE: {
        "inventoryItemId": "gid://shopify/InventoryItem/8",
        "locationId": "gid://shopify/Location/2",
        "sku": "TEE-BLK-M",
        "fromName": "available",
        "toName": "damaged",
        "quantity": 1,
        "fromQuantity": 12,
        "toQuantity": 0,
        "reason": "damaged",
        "referenceDocumentUri": "gid://oms-tui/Pick/7",
        "idempotencyKey": "2f1e2d3c4b5a69788796a5b4c3d2e1f0",
    },
    ActionKind.LABEL_BUY: {"labelId": 7, "shipmentId": "shp_1", "rateId": "rate_1", "rate": "USPS Priority"},
    ActionKind.LABEL_VOID: {
        "labelId": 7,
        "shipmentId": "shp_1",
        "trackingNumber": "9400100000000000000000",
        "reason": "order cancelled",
    },
}
KNOWN_SCOPES = {documents.load(name).scope for name in documents.names()}


def test_every_kind_is_declared_once_with_a_sample() -> None:
    assert set(KINDS) == set(ActionKind) == set(SAMPLES)
    assert len({type(declared) for declared in KINDS.values()}) == len(ActionKind)


STORE_KINDS = [kind for kind in ActionKind if declaration(kind).target == Target.STORE]
CARRIER_KINDS = [kind for kind in ActionKind if declaration(kind).target == Target.CARRIER]


@pytest.mark.parametrize("kind", CARRIER_KINDS)
def test_a_carrier_kind_declares_every_part(kind: ActionKind) -> None:
    declared = declaration(kind)
    assert isinstance(declared, CarrierActionType)
    assert declared.kind == kind and isinstance(declared.permission, Permission) and declared.label.strip()
    payload = declared.read(SAMPLES[kind])
    assert declared.read(payload.as_json()) == payload
    assert declared.timeline(payload, {}).strip()


@pytest.mark.parametrize("kind", STORE_KINDS)
def test_a_kind_declares_every_part(kind: ActionKind, full_schema: GraphQLSchema) -> None:
    declared = declaration(kind)
    assert isinstance(declared, ActionType)
    assert declared.kind == kind
    assert issubclass(declared.payload_model, Payload)
    assert isinstance(declared.permission, Permission)
    assert declared.label.strip()
    assert declared.scopes and set(declared.scopes) <= KNOWN_SCOPES
    payload = declared.read(SAMPLES[kind])
    assert declared.read(payload.as_json()) == payload  # what is recorded reads back the same
    assert declared.timeline(payload, {}).strip()
    request = declared.request(payload)
    document = documents.load(request.document)
    assert document.is_mutation and request.field in document.root_fields
    assert document.scope in declared.scopes
    assert not validate(full_schema, parse(document.text))
    operation = next(d for d in parse(document.text).definitions if isinstance(d, OperationDefinitionNode))
    declared_variables = {variable.variable.name.value for variable in operation.variable_definitions}
    assert set(request.variables) <= declared_variables


@pytest.mark.parametrize(
    ("kind", "change"),
    [
        (ActionKind.FULFILL, {"tracking": {"number": "1Z\x1b[31mRED\x07"}}),
        (ActionKind.FULFILL, {"tracking": {"number": "   "}}),
        (ActionKind.FULFILL, {"tracking": {"number": "9" * 10_000}}),
        (ActionKind.FULFILL, {"lines": []}),
        (ActionKind.FULFILL, {"lines": [{"id": "x", "quantity": 0}]}),
        (ActionKind.HOLD, {"reason": "BECAUSE"}),
        (ActionKind.CANCEL, {"refund": "cash"}),
        (ActionKind.TAGS, {"tags": ["rush,gift"]}),
        (ActionKind.TAGS, {"tags": ["line\nbreak"]}),
        (ActionKind.TAGS, {"tags": ["x" * 41]}),
        (ActionKind.NOTE, {"note": "\x1b]0;owned\x07"}),
        (ActionKind.MESSAGE_NOTE, {"line": "two\nlines"}),
        (
            ActionKind.RETURN_DISPOSE,
            {"dispositions": [{**SAMPLES[ActionKind.RETURN_DISPOSE]["dispositions"][0], "locationId": None}]},
        ),
        (ActionKind.MOVE, {"unexpected": 1}),
    ],
)
def test_a_payload_that_does_not_fit_its_kind_is_refused(kind: ActionKind, change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        declaration(kind).read({**SAMPLES[kind], **change})


def test_an_unknown_kind_is_said_plainly() -> None:
    with pytest.raises(ValueError, match="label_print"):
        declaration("label_print")


NOT_ORDERS = {
    ActionKind.INVENTORY_SET: "stock TEE-BLK-M @ Annex",
    ActionKind.INVENTORY_ADJUST: "stock TEE-BLK-M @ Annex",
    ActionKind.INVENTORY_MOVE: "stock TEE-BLK-M @ Annex",
    ActionKind.INVENTORY_SHIPMENT_RECEIVE: "shipment #T1001-S1",
}


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_what_an_action_is_about_is_said_in_words_when_it_is_no_order(kind: ActionKind) -> None:
    """Stock and receipts are queued under an item or a shipment: views name those, not the id."""
    recorded = OutboxAction(
        order_id="gid://shopify/InventoryItem/8", kind=kind, payload=SAMPLES[kind], station="s"
    )
    assert about(recorded, {"gid://shopify/Location/2": "Annex"}) == NOT_ORDERS.get(kind)
