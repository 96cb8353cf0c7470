"""The shipped schema subset is as good as the full schema for every document the client sends."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema, validate
from pydantic import SecretStr

from oms_tui.shopify.cost import requested_cost
from oms_tui.shopify.schema import subset_schema
from oms_tui.store import documents
from oms_tui.store.client import StoreClient
from oms_tui.store.page_size import largest_first

from .fakes import SHOP, TOKEN, FakeTime, Script, ok


@pytest.mark.parametrize("name", documents.names())
def test_subset_validates_and_costs_like_the_full_schema(full_schema: GraphQLSchema, name: str) -> None:
    ast = documents.load(name).ast
    assert validate(subset_schema(), ast) == []
    if name in ("bulk_orders", "bulk_fulfillment_orders"):
        return  # bulk inner queries have unsized connections: they are never costed
    variables = {"id": "x", "ids": ["a", "b"], "first": 7}
    assert requested_cost(subset_schema(), ast, variables) == requested_cost(full_schema, ast, variables)
    if "$first" in documents.load(name).text:
        assert largest_first(subset_schema(), ast, variables, 1000) == largest_first(
            full_schema, ast, variables, 1000
        )


async def test_client_works_without_being_given_a_schema() -> None:
    page = {"orders": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}}
    script = Script(ok(page))
    time = FakeTime()
    async with StoreClient(
        SHOP, SecretStr(TOKEN), transport=script.transport, sleep=time.sleep, clock=time.clock
    ) as client:
        assert [p async for p in client.paginate("orders_page", connection_path=("orders",))] == [[]]
    # the cost rule alone: 2 + 16 x 60 <= 1,000
    assert script.variables() == [{"first": 16}]
