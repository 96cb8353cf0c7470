"""Runs one GraphQL request the way Shopify does: validate, price, throttle, execute, report the cost."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    build_schema,
    execute,
    parse,
    validate,
)

from oms_tui.shopify.cost import MAX_QUERY_COST, actual_cost, requested_cost
from oms_tui.shopify.schema import subset_sdl
from oms_tui.sim import fulfillment_mutations as fm
from oms_tui.sim import order_mutations as om
from oms_tui.sim import return_mutations as rm
from oms_tui.sim import transfer_mutations as tm
from oms_tui.sim.bulk import BULK_RESOLVERS, BulkOperations
from oms_tui.sim.inventory_mutations import INVENTORY_MUTATIONS
from oms_tui.sim.query_resolvers import RESOLVERS, resolve_node_type
from oms_tui.sim.return_resolvers import RETURN_RESOLVERS
from oms_tui.sim.store import SimStore
from oms_tui.sim.throttle import LeakyBucket
from oms_tui.sim.transfer_resolvers import TRANSFER_RESOLVERS

MUTATIONS: dict[tuple[str, str], Callable[..., Any]] = {
    ("Mutation", "fulfillmentCreate"): fm.fulfillment_create,
    ("Mutation", "fulfillmentOrderHold"): fm.fulfillment_order_hold,
    ("Mutation", "fulfillmentOrderReleaseHold"): fm.fulfillment_order_release_hold,
    ("Mutation", "fulfillmentOrderMove"): fm.fulfillment_order_move,
    ("Mutation", "orderCancel"): om.order_cancel,
    ("Mutation", "orderUpdate"): om.order_update,
    ("Mutation", "tagsAdd"): om.tags_add,
    ("Mutation", "reverseFulfillmentOrderDispose"): rm.reverse_fulfillment_order_dispose,
    ("Mutation", "returnClose"): rm.return_close,
    ("Mutation", "inventoryShipmentReceive"): tm.inventory_shipment_receive,
    **INVENTORY_MUTATIONS,
}
DOCUMENTS_KEPT = 512  # parsed documents kept per simulator
_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


@cache
def _snake(name: str) -> str:
    return _SNAKE.sub("_", name).lower()


def serve_field(source: Any, info: GraphQLResolveInfo, **_: Any) -> Any:
    """Default resolver: dict keys as given, object attributes in snake_case, times as Shopify prints them."""
    value = (
        source.get(info.field_name) if isinstance(source, dict) else getattr(source, _snake(info.field_name))
    )
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


@cache
def executable_schema() -> GraphQLSchema:
    schema = build_schema(subset_sdl())
    resolvers = {**RESOLVERS, **RETURN_RESOLVERS, **TRANSFER_RESOLVERS, **MUTATIONS, **BULK_RESOLVERS}
    for (type_name, field_name), resolver in resolvers.items():
        owner = schema.get_type(type_name)
        assert isinstance(owner, GraphQLObjectType), type_name
        owner.fields[field_name].resolve = resolver
    node = schema.get_type("Node")
    assert isinstance(node, GraphQLInterfaceType)
    node.resolve_type = resolve_node_type
    for abstract in ("ReturnLineItemType", "ReverseDeliveryDeliverable"):  # one member each, served
        schema.get_type(abstract).resolve_type = resolve_node_type  # type: ignore[union-attr]
    return schema


# Shopify's codes for the validation failures clients meet most; others get a generic code.
VALIDATION_CODES = [
    (re.compile(r"^Cannot query field"), "undefinedField"),
    (re.compile(r"^Unknown argument"), "argumentNotAccepted"),
    (re.compile(r"argument .* is required"), "missingRequiredArguments"),
    (re.compile(r"^Unknown type"), "undefinedType"),
    (re.compile(r"^Variable"), "variableMismatch"),
    (re.compile(r"cannot represent|^Expected value"), "argumentLiteralsIncompatible"),
]


def _error_body(errors: list[GraphQLError], default_code: str | None = None) -> list[dict[str, Any]]:
    formatted = []
    for error in errors:
        entry = dict(error.formatted)
        if default_code and "extensions" not in entry:
            code = next((c for pattern, c in VALIDATION_CODES if pattern.search(error.message)), default_code)
            entry["extensions"] = {"code": code}
        formatted.append(entry)
    return formatted


class GraphQLService:
    """Executes requests against `store`, charging each token's bucket (made by `new_bucket`)."""

    def __init__(self, store: SimStore, new_bucket: Callable[[], LeakyBucket], bulk: BulkOperations) -> None:
        self.store = store
        self.schema = executable_schema()
        self.new_bucket = new_bucket
        self.buckets: dict[str, LeakyBucket] = {}
        self.bulk = bulk
        self._documents: dict[str, tuple[DocumentNode, list[GraphQLError]]] = {}

    def bucket(self, token: str) -> LeakyBucket:
        if token not in self.buckets:
            self.buckets[token] = self.new_bucket()
        return self.buckets[token]

    def cost_extension(
        self, bucket: LeakyBucket, requested: int | None, actual: int | None
    ) -> dict[str, Any]:
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": bucket.status().as_json(),
            }
        }

    def throttled(self, token: str, requested: int) -> dict[str, Any]:
        bucket = self.bucket(token)
        return {
            "errors": [
                {
                    "message": "Throttled",
                    "extensions": {
                        "code": "THROTTLED",
                        "documentation": "https://shopify.dev/api/usage/rate-limits",
                    },
                }
            ],
            "extensions": self.cost_extension(bucket, requested, None),
        }

    def price(self, body: dict[str, Any]) -> tuple[DocumentNode | None, int, dict[str, Any] | None]:
        """(document, requested cost, error response) for a request body."""
        query, variables = body.get("query"), body.get("variables") or {}
        if not isinstance(query, str):
            return None, 0, {"errors": [{"message": "No query string was present"}]}
        try:
            document, errors = self._checked(query)
        except GraphQLError as error:
            return None, 0, {"errors": _error_body([error], "GRAPHQL_PARSE_FAILED")}
        if errors:
            return None, 0, {"errors": _error_body(errors, "GRAPHQL_VALIDATION_FAILED")}
        try:
            return document, requested_cost(self.schema, document, variables, body.get("operationName")), None
        except (ValueError, GraphQLError) as error:
            return None, 0, {"errors": [{"message": str(error)}]}

    def _checked(self, query: str) -> tuple[DocumentNode, list[GraphQLError]]:
        """The parsed document and its validation errors; clients send the same few documents again and
        again, so each is parsed and validated once (most of a small request's time otherwise)."""
        if query not in self._documents:
            if len(self._documents) >= DOCUMENTS_KEPT:
                self._documents.clear()
            document = parse(query)
            self._documents[query] = (document, validate(self.schema, document))
        return self._documents[query]

    def run(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(token)
        document, requested, failure = self.price(body)
        if failure is not None or document is None:
            return failure or {}
        if requested > MAX_QUERY_COST:
            return {
                "errors": [
                    {
                        "message": f"Query cost is {requested}, which exceeds the single query max cost "
                        f"limit ({MAX_QUERY_COST}).",
                        "extensions": {
                            "code": "MAX_COST_EXCEEDED",
                            "cost": requested,
                            "maxCost": MAX_QUERY_COST,
                        },
                    }
                ],
                "extensions": self.cost_extension(bucket, requested, None),
            }
        if not bucket.try_take(requested):
            return self.throttled(token, requested)
        variables = body.get("variables") or {}
        context: dict[str, Any] = {"store": self.store, "bulk": self.bulk, "token": token}
        with self.store.lock:
            self.store.jobs.finish_due()
            result = execute(
                self.schema,
                document,
                variable_values=variables,
                context_value=context,
                operation_name=body.get("operationName"),
                field_resolver=serve_field,
            )
        assert not hasattr(result, "__await__")
        response: dict[str, Any] = {}
        if result.errors:
            response["errors"] = _error_body(result.errors)
        if result.data is not None:
            response["data"] = result.data
        actual = actual_cost(self.schema, document, variables, result.data, body.get("operationName"))
        actual = min(actual, requested)
        bucket.refund(requested - actual)
        response["extensions"] = self.cost_extension(bucket, requested, actual)
        if context.get("search_warnings"):
            response["extensions"]["search"] = [
                {
                    "path": ["query"],
                    "warnings": [{"field": None, "message": w} for w in context["search_warnings"]],
                }
            ]
        return response

    def run_unmetered(self, document: DocumentNode, variables: dict[str, Any]) -> dict[str, Any]:
        """Run (a page of) a bulk operation's query: connections without first/last read whole,
        nothing charged; returns its data."""
        context: dict[str, Any] = {"store": self.store, "bulk": self.bulk, "bulk_query": True}
        with self.store.lock:
            result = execute(
                self.schema,
                document,
                variable_values=variables,
                context_value=context,
                field_resolver=serve_field,
            )
        assert not hasattr(result, "__await__")
        return result.data or {}
