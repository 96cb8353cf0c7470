"""The simulator's schema is a subset of the real Admin API schema, and behaves like it on bad documents."""

from __future__ import annotations

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    parse,
    validate,
)

from oms_tui.shopify.derive_schema import derive_subset
from oms_tui.shopify.schema import subset_schema, subset_sdl
from tests.sim.conftest import gql


def test_every_subset_name_exists_with_the_same_type_in_the_full_schema(full_schema: GraphQLSchema) -> None:
    subset = subset_schema()
    for name, subset_type in subset.type_map.items():
        if name.startswith("__"):
            continue
        full_type = full_schema.get_type(name)
        assert full_type is not None, name
        assert type(full_type) is type(subset_type), name
        if isinstance(subset_type, GraphQLEnumType):
            assert set(subset_type.values) <= set(full_type.values), name  # type: ignore[attr-defined]
        if isinstance(subset_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in subset_type.fields.items():
                full_field = full_type.fields.get(field_name)  # type: ignore[attr-defined]
                assert full_field is not None, f"{name}.{field_name}"
                assert str(full_field.type) == str(field.type), f"{name}.{field_name}"
                for arg_name, arg in getattr(field, "args", {}).items():
                    full_arg = full_field.args.get(arg_name)
                    assert full_arg is not None, f"{name}.{field_name}({arg_name})"
                    assert str(full_arg.type) == str(arg.type), f"{name}.{field_name}({arg_name})"
                    assert full_arg.default_value == arg.default_value, f"{name}.{field_name}({arg_name})"


def test_committed_subset_is_what_the_script_derives(full_schema: GraphQLSchema) -> None:
    assert derive_subset(full_schema) == subset_sdl()


DOCUMENTS = [
    """query Sync($since: String!, $after: String) {
         orders(first: 50, after: $after, sortKey: UPDATED_AT, query: $since) {
           pageInfo { hasNextPage endCursor }
           nodes { id legacyResourceId name createdAt updatedAt processedAt cancelledAt cancelReason closed
             displayFinancialStatus displayFulfillmentStatus tags note email
             customer { firstName lastName displayName email }
             shippingAddress { name address1 address2 city province provinceCode zip country
               countryCodeV2 phone }
             risk { recommendation assessments { riskLevel } }
             lineItems(first: 5) { nodes { id sku name title quantity currentQuantity unfulfilledQuantity
               requiresShipping variant { barcode } } }
             fulfillments { id status createdAt trackingInfo { company number url } } } } }""",
    """{ fulfillmentOrders(first: 20, includeClosed: true, sortKey: UPDATED_AT) { edges { cursor node {
         id orderId order { id } status requestStatus fulfillAt updatedAt createdAt
         assignedLocation { name location { id } } fulfillmentHolds { id reason reasonNotes handle }
         supportedActions { action }
         lineItems(first: 10) { nodes { id sku totalQuantity remainingQuantity lineItem { id } } } } } } }""",
    """{ locations(first: 10) { nodes { id name isActive address { address1 city zip countryCode } } }
         inventoryItems(first: 5, query: "sku:TEE-BLK-M") { nodes { id sku inventoryLevels(first: 5) {
           nodes { location { id }
             quantities(names: ["available", "committed", "on_hand"]) { name quantity } } } } } }""",
    """{ nodes(ids: ["gid://shopify/Order/5801000001", "gid://shopify/Location/71300000"]) {
         id ... on Order { name } ... on Location { name } } }""",
]


@pytest.mark.parametrize("document", DOCUMENTS)
async def test_documents_valid_for_shopify_run_on_the_simulator(
    document: str, full_schema: GraphQLSchema, client: httpx.AsyncClient
) -> None:
    assert validate(full_schema, parse(document)) == []
    body = await gql(client, document, since="updated_at:>='2026-10-01T00:00:00Z'")
    assert "errors" not in body, body
    assert body["data"]


async def test_unknown_field_fails_validation_like_shopify(client: httpx.AsyncClient) -> None:
    body = await gql(client, "{ orders(first: 1) { nodes { riskScore } } }")
    (error,) = body["errors"]
    assert "riskScore" in error["message"]
    assert error["locations"] == [{"line": 1, "column": 30}]
    assert error["extensions"]["code"] == "undefinedField"
    assert "data" not in body


async def test_missing_required_argument_is_reported(client: httpx.AsyncClient) -> None:
    body = await gql(client, "{ order { id } }")
    assert body["errors"][0]["extensions"]["code"] == "missingRequiredArguments"
