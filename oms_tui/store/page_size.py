"""The largest page size whose requested cost (Shopify's rule, `oms_tui.shopify.cost`) fits a budget."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import DocumentNode, GraphQLSchema

from oms_tui.shopify.cost import MAX_QUERY_COST, requested_cost

MAX_PAGE_SIZE = 250


def largest_first(
    schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any], budget: int
) -> int:
    """The largest `$first` (at most 250) whose cost fits `budget` (and the 1,000 per-query cap)."""
    budget = min(budget, MAX_QUERY_COST)

    def fits(first: int) -> bool:
        return requested_cost(schema, document, {**variables, "first": first}) <= budget

    if not fits(1):
        raise ValueError(f"even one item per page costs more than {budget} points")
    low, high = 1, MAX_PAGE_SIZE  # fits(low) holds; cost grows with first
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return low
