"""Derive the simulator's schema: the served subset of the real Admin API schema, descriptions dropped.

Run `python -m oms_tui.shopify.derive_schema [FULL_SDL]` after changing `SERVED`; it rewrites the
committed `admin-2026-04-subset.graphql` beside this file; FULL_SDL defaults to the repository's
gzipped copy of the full schema, `tests/data/admin-2026-04.graphql.gz`. Deriving (instead of
hand-writing) the subset keeps the simulator from drifting from Shopify: every name and type is
copied from the real SDL.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    ast_from_value,
    build_schema,
    get_named_type,
    print_ast,
)
from graphql.pyutils import Undefined

SUBSET_PATH = Path(__file__).with_name("admin-2026-04-subset.graphql")
DEFAULT_FULL_PATH = Path(__file__).resolve().parents[2] / "tests" / "data" / "admin-2026-04.graphql.gz"

PAGING = "first,after,last,before,reverse"
# Type -> served fields; `name(arg,arg)` selects arguments (required ones are always kept); `*` = all.
SERVED: dict[str, str] = {
    "QueryRoot": f"""orders({PAGING},sortKey,query) order
        fulfillmentOrders(includeClosed,{PAGING},sortKey,query)
        fulfillmentOrder fulfillment locations({PAGING},includeInactive) location(id)
        inventoryItems({PAGING},query) inventoryItem nodes node bulkOperation currentBulkOperation(type)
        job ordersCount(query,limit) return reverseFulfillmentOrder
        inventoryTransfers(first,after,last,before,reverse) inventoryTransfer inventoryShipment""",
    "Mutation": """fulfillmentCreate(message) fulfillmentOrderHold fulfillmentOrderReleaseHold(holdIds)
        fulfillmentOrderMove(fulfillmentOrderLineItems) orderCancel(refundMethod,notifyCustomer,staffNote)
        orderUpdate tagsAdd bulkOperationRunQuery(groupObjects) reverseFulfillmentOrderDispose returnClose
        inventorySetQuantities inventoryAdjustQuantities inventoryMoveQuantities
        inventoryShipmentReceive(lineItems,dateReceived,bulkReceiveAction)""",
    "Node": "id",
    "PageInfo": "*",
    "Order": f"""id legacyResourceId name createdAt updatedAt processedAt cancelledAt cancelReason closed
        displayFinancialStatus displayFulfillmentStatus tags note email customer shippingAddress risk
        sourceName shippingLine totalPriceSet lineItems({PAGING}) fulfillments(first)
        fulfillmentOrders({PAGING}) returnStatus returns({PAGING})""",
    "Customer": "id firstName lastName displayName email defaultEmailAddress numberOfOrders",
    "CustomerEmailAddress": "emailAddress",
    "MoneyBag": "shopMoney",
    "MoneyV2": "amount currencyCode",
    "MailingAddress": "id name address1 address2 city province provinceCode zip country countryCodeV2 phone",
    "ShippingLine": "title carrierIdentifier",
    "OrderRiskSummary": "recommendation assessments",
    "OrderRiskAssessment": "riskLevel",
    "LineItem": """id sku name title quantity currentQuantity unfulfilledQuantity requiresShipping variant
        lineItemGroup""",
    "LineItemGroup": "id title quantity variantSku",
    "ProductVariant": "id sku barcode",
    "Fulfillment": f"id status createdAt trackingInfo(first) fulfillmentLineItems({PAGING})",
    "FulfillmentLineItem": "id quantity lineItem",
    "FulfillmentTrackingInfo": "company number url",
    "FulfillmentOrder": f"""id orderId order status requestStatus fulfillAt fulfillBy updatedAt createdAt
        assignedLocation fulfillmentHolds supportedActions lineItems({PAGING}) fulfillments({PAGING})""",
    "FulfillmentOrderAssignedLocation": "name location",
    "FulfillmentHold": "id reason reasonNotes handle",
    "FulfillmentOrderSupportedAction": "action",
    "FulfillmentOrderLineItem": "id sku totalQuantity remainingQuantity lineItem",
    "Location": "id name isActive address",
    "LocationAddress": "address1 address2 city province provinceCode zip country countryCode phone",
    "InventoryItem": f"id sku tracked updatedAt inventoryLevels({PAGING}) inventoryLevel",
    "InventoryLevel": "id location item quantities",
    "InventoryQuantity": "id name quantity",
    "BulkOperation": """id status url errorCode createdAt completedAt objectCount rootObjectCount fileSize
        query type partialDataUrl""",
    "Job": "id done",
    "Count": "count precision",
    "FulfillmentCreatePayload": "*",
    "FulfillmentOrderHoldPayload": "*",
    "FulfillmentOrderReleaseHoldPayload": "*",
    "FulfillmentOrderMovePayload": "*",
    "OrderCancelPayload": "*",
    "OrderUpdatePayload": "*",
    "TagsAddPayload": "*",
    "BulkOperationRunQueryPayload": "*",
    "UserError": "*",
    "FulfillmentOrderHoldUserError": "*",
    "FulfillmentOrderReleaseHoldUserError": "*",
    "FulfillmentOrderMoveFulfillmentOrderMoveUserError": "*",
    "OrderCancelUserError": "*",
    "BulkOperationUserError": "*",
    "FulfillmentInput": "trackingInfo notifyCustomer lineItemsByFulfillmentOrder",
    "FulfillmentOrderLineItemsInput": "*",
    "FulfillmentOrderLineItemInput": "*",
    "FulfillmentTrackingInput": "*",
    "FulfillmentOrderHoldInput": "reason reasonNotes notifyMerchant handle fulfillmentOrderLineItems",
    "OrderInput": "id email note tags",
    "OrderCancelRefundMethodInput": "*",
    "OrderCancelStoreCreditRefundInput": "*",
    # Returns: what the receiving floor reads, disposes and closes.
    "Return": f"""id name status createdAt closedAt requestApprovedAt totalQuantity order
        returnLineItems({PAGING}) reverseFulfillmentOrders({PAGING})""",
    "ReturnLineItemType": "id quantity customerNote returnReasonDefinition returnReasonNote",
    "ReturnLineItem": "id quantity customerNote returnReasonDefinition returnReasonNote fulfillmentLineItem",
    "ReturnReasonDefinition": "id handle name deleted",
    "ReverseFulfillmentOrder": f"id status order lineItems({PAGING}) reverseDeliveries({PAGING})",
    "ReverseFulfillmentOrderLineItem": "id totalQuantity fulfillmentLineItem dispositions",
    "ReverseFulfillmentOrderDisposition": "id createdAt location quantity type",
    "ReverseDelivery": "id deliverable",
    "ReverseDeliveryDeliverable": "ReverseDeliveryShippingDeliverable",  # a union: its members
    "ReverseDeliveryShippingDeliverable": "tracking",
    "ReverseDeliveryTrackingV2": "carrierName number url",
    "ReverseFulfillmentOrderDisposePayload": "*",
    "ReturnClosePayload": "*",
    "ReturnUserError": "*",
    "ReverseFulfillmentOrderDisposeInput": "*",
    # Stock: counts, adjustments and moves between quantity names (each needs @idempotent in 2026-04).
    "InventorySetQuantitiesPayload": "*",
    "InventoryAdjustQuantitiesPayload": "*",
    "InventoryMoveQuantitiesPayload": "*",
    "InventorySetQuantitiesUserError": "*",
    "InventoryAdjustQuantitiesUserError": "*",
    "InventoryMoveQuantitiesUserError": "*",
    "InventoryAdjustmentGroup": "id createdAt reason referenceDocumentUri changes",
    "InventoryChange": "name delta quantityAfterChange ledgerDocumentUri item location",
    "InventorySetQuantitiesInput": "*",
    "InventoryQuantityInput": "*",
    "InventoryAdjustQuantitiesInput": "*",
    "InventoryChangeInput": "*",
    "InventoryMoveQuantitiesInput": "*",
    "InventoryMoveQuantityChange": "*",
    "InventoryMoveQuantityTerminalInput": "*",
    # Inbound stock: transfers' shipments, received at the dock.
    "InventoryTransfer": f"""id name status dateCreated referenceName note origin destination totalQuantity
        receivedQuantity lineItems({PAGING}) shipments({PAGING})""",
    "InventoryTransferLineItem": "id title totalQuantity shippedQuantity inventoryItem",
    "LocationSnapshot": "name location address snapshottedAt",
    "InventoryShipment": f"""id name status barcode dateCreated dateShipped dateReceived tracking
        lineItemTotalQuantity totalAcceptedQuantity totalRejectedQuantity totalReceivedQuantity
        lineItems({PAGING})""",
    "InventoryShipmentTracking": "company trackingNumber trackingUrl arrivesAt",
    "InventoryShipmentLineItem": """id quantity acceptedQuantity rejectedQuantity unreceivedQuantity
        inventoryItem""",
    "InventoryShipmentReceivePayload": "*",
    "InventoryShipmentReceiveUserError": "*",
    "InventoryShipmentReceiveItemInput": "*",
}
# Directives copied from the full schema: documents may use them and the simulator reads them.
SERVED_DIRECTIVES = ("idempotent",)
for _name in (
    "Order",
    "Fulfillment",
    "FulfillmentLineItem",
    "FulfillmentOrder",
    "LineItem",
    "FulfillmentOrderLineItem",
    "Location",
    "InventoryItem",
    "InventoryLevel",
    "Return",
    "ReturnLineItemType",
    "ReverseFulfillmentOrder",
    "ReverseFulfillmentOrderLineItem",
    "ReverseDelivery",
    "InventoryTransfer",
    "InventoryTransferLineItem",
    "InventoryShipment",
    "InventoryShipmentLineItem",
):
    SERVED[f"{_name}Connection"] = "edges nodes pageInfo"
    SERVED[f"{_name}Edge"] = "cursor node"


def parse_field_spec(spec: str) -> dict[str, set[str] | None]:
    """`"a b(x,y)"` -> {"a": set(), "b": {"x", "y"}}; `"*"` -> {"*": None}."""
    fields: dict[str, set[str] | None] = {}
    for word in spec.split():
        name, _, args = word.partition("(")
        fields[name] = None if name == "*" else {a for a in args.rstrip(")").split(",") if a}
    return fields


def _is_required(arg: GraphQLArgument | GraphQLInputField) -> bool:
    return isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined


def _arg_sdl(name: str, arg: GraphQLArgument | GraphQLInputField) -> str:
    text = f"{name}: {arg.type}"
    default = arg.default_value
    if default is not Undefined:
        value_ast = ast_from_value(default, arg.type)
        if value_ast is not None:
            text += f" = {print_ast(value_ast)}"
    return text


def _field_sdl(name: str, field: GraphQLField, wanted_args: set[str]) -> tuple[str, list[GraphQLNamedType]]:
    args = {a: v for a, v in field.args.items() if a in wanted_args or _is_required(v)}
    missing = wanted_args - set(field.args)
    if missing:
        raise KeyError(f"{name}: no arguments {sorted(missing)}")
    arg_text = f"({', '.join(_arg_sdl(a, v) for a, v in args.items())})" if args else ""
    used = [get_named_type(field.type), *(get_named_type(v.type) for v in args.values())]
    return f"  {name}{arg_text}: {field.type}", used


def derive_subset(full: GraphQLSchema) -> str:
    """The SDL of the served subset; raises KeyError for a name the full schema lacks."""
    blocks: list[str] = ["schema {\n  query: QueryRoot\n  mutation: Mutation\n}"]
    leaf_types: dict[str, GraphQLNamedType] = {}
    for type_name, spec in SERVED.items():
        named = full.get_type(type_name)
        if named is None:
            raise KeyError(f"no type {type_name}")
        if isinstance(named, GraphQLUnionType):
            members = [t.name for t in named.types if t.name in spec.split()]
            blocks.append(f"union {type_name} = {' | '.join(members)}")
            continue
        wanted = parse_field_spec(spec)
        assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType)
        names = list(named.fields) if "*" in wanted else list(wanted)
        lines: list[str] = []
        for field_name in names:
            field = named.fields.get(field_name)
            if field is None:
                raise KeyError(f"no field {type_name}.{field_name}")
            if isinstance(field, GraphQLInputField):
                lines.append(f"  {_arg_sdl(field_name, field)}")
                used = [get_named_type(field.type)]
            else:
                line, used = _field_sdl(f"{type_name}.{field_name}", field, wanted.get(field_name) or set())
                lines.append(line.replace(f"{type_name}.", "", 1))
            for used_type in used:
                if isinstance(used_type, GraphQLEnumType | GraphQLScalarType):
                    leaf_types[used_type.name] = used_type
                elif used_type.name not in SERVED:
                    raise KeyError(f"{type_name}.{field_name} needs unserved type {used_type.name}")
        if isinstance(named, GraphQLInputObjectType):
            required = {n for n, f in named.fields.items() if _is_required(f)}
            if not required <= set(names):
                raise KeyError(f"{type_name} must keep its required fields {sorted(required)}")
        keyword = {GraphQLObjectType: "type", GraphQLInterfaceType: "interface"}.get(type(named), "input")
        interfaces = [i.name for i in getattr(named, "interfaces", ()) if i.name in SERVED]
        implements = f" implements {' & '.join(interfaces)}" if interfaces else ""
        blocks.append(f"{keyword} {type_name}{implements} {{\n" + "\n".join(lines) + "\n}")
    for directive in SERVED_DIRECTIVES:
        found = full.get_directive(directive)
        if found is None:
            raise KeyError(f"no directive @{directive}")
        args = ", ".join(_arg_sdl(name, arg) for name, arg in found.args.items())
        places = " | ".join(location.name for location in found.locations)
        blocks.append(f"directive @{directive}({args}) on {places}")
    for leaf in sorted(leaf_types.values(), key=lambda t: t.name):
        if isinstance(leaf, GraphQLEnumType):
            blocks.append(f"enum {leaf.name} {{\n" + "\n".join(f"  {v}" for v in leaf.values) + "\n}")
        elif leaf.name not in {"String", "Int", "Float", "Boolean", "ID"}:
            blocks.append(f"scalar {leaf.name}")
    return "\n\n".join(blocks) + "\n"


def main(argv: list[str]) -> None:
    full_path = Path(argv[0]) if argv else DEFAULT_FULL_PATH
    raw = full_path.read_bytes()
    sdl_bytes = gzip.decompress(raw) if full_path.suffix == ".gz" else raw
    full = build_schema(sdl_bytes.decode(), assume_valid_sdl=True)
    sdl = derive_subset(full)
    build_schema(sdl)  # the subset must stand on its own
    SUBSET_PATH.write_text(sdl)
    print(f"wrote {SUBSET_PATH} ({len(sdl.splitlines())} lines)")


if __name__ == "__main__":
    main(sys.argv[1:])
