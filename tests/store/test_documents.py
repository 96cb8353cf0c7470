"""Every document the client sends is valid against the real Admin schema and uses nothing deprecated."""

from __future__ import annotations

import re

import pytest
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLObjectType,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    parse,
    validate,
    visit,
)

from oms_tui.store import documents
from oms_tui.store.documents import bulk_query, load

BULK = ["bulk_orders", "bulk_fulfillment_orders"]


def deprecated_uses(schema: GraphQLSchema, text: str) -> list[str]:
    type_info = TypeInfo(schema)
    found: list[str] = []

    class Check(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            field = type_info.get_field_def()
            if field is not None and field.deprecation_reason:
                found.append(f"{type_info.get_parent_type()}.{node.name.value}")

        def enter_enum_value(self, node, *_: object) -> None:
            enum = get_named_type(type_info.get_input_type())
            if isinstance(enum, GraphQLEnumType) and enum.values[node.value].deprecation_reason:
                found.append(f"{enum.name}.{node.value}")

    visit(parse(text), TypeInfoVisitor(type_info, Check()))
    return found


def test_every_document_is_found() -> None:
    assert set(documents.names()) >= {
        "locations_page", "orders_page", "order_line_items", "fulfillment_orders_page",
        "fulfillment_order_line_items", "nodes_orders", "nodes_fulfillment_orders", "inventory_items",
        "bulk_run", "bulk_status", *BULK, "fulfillment_create", "fulfillment_order_hold",
        "fulfillment_order_release_hold", "fulfillment_order_move", "order_cancel", "order_update",
        "tags_add", "job",
    }  # fmt: skip


@pytest.mark.parametrize("name", documents.names())
def test_document_is_valid_and_current(full_schema: GraphQLSchema, name: str) -> None:
    document = load(name)
    assert validate(full_schema, document.ast) == []
    assert deprecated_uses(full_schema, document.text) == []


def test_the_deprecation_check_catches_deprecated_fields(full_schema: GraphQLSchema) -> None:
    text = (
        "{ orders(first: 1) { nodes { riskLevel lineItems(first: 1) { nodes { fulfillableQuantity } } } } }"
    )
    assert deprecated_uses(full_schema, text) == ["Order.riskLevel", "LineItem.fulfillableQuantity"]


def test_mutations_are_marked() -> None:
    assert load("fulfillment_create").is_mutation
    assert load("order_cancel").root_fields == ("orderCancel",)
    assert not load("orders_page").is_mutation


@pytest.mark.parametrize("name", BULK)
def test_bulk_query_keeps_within_bulk_limits(full_schema: GraphQLSchema, name: str) -> None:
    text = bulk_query(name, search="updated_at:>='2026-01-01T00:00:00Z'")
    ast = parse(text)
    assert validate(full_schema, ast) == []
    assert "fragment" not in text
    (operation,) = ast.definitions
    assert not operation.variable_definitions
    (top,) = operation.selection_set.selections
    assert top.name.value not in ("node", "nodes")
    assert "query: \"updated_at:>='2026-01-01T00:00:00Z'\"" in text

    type_info = TypeInfo(full_schema)
    depths: list[int] = []
    open_connections: list[bool] = []

    class Measure(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            named = get_named_type(type_info.get_type())
            is_connection = isinstance(named, GraphQLObjectType) and named.name.endswith("Connection")
            open_connections.append(is_connection)
            if is_connection:
                depths.append(sum(open_connections))

        def leave_field(self, *_: object) -> None:
            open_connections.pop()

    visit(ast, TypeInfoVisitor(type_info, Measure()))
    assert 1 < len(depths) <= 5
    assert max(depths) <= 2


def test_bulk_query_does_not_alter_the_cached_document() -> None:
    before = load("bulk_orders").text
    bulk_query("bulk_orders", search="status:open")
    assert load("bulk_orders").text == before
    assert "status:open" not in before


re_scope = re.compile(r"(read|write)_[a-z_]+")


def test_every_document_says_its_access_scope() -> None:
    scopes = {name: documents.load(name).scope for name in documents.names()}
    assert all(scope and re_scope.fullmatch(scope) for scope in scopes.values()), scopes
