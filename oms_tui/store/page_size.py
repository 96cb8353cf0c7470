"""Page sizes: the largest page whose requested cost (Shopify's rule, `oms_tui.shopify.cost`) fits a
budget, and nested list sizes (`$lineItemsFirst`) chosen from what earlier pages actually held.

Shopify refuses a query whose *requested* cost exceeds 1,000 points, whatever it would really cost,
and the requested cost of a page of orders assumes every order fills its nested lists (10 line items
by default). Most orders hold far fewer, so the store charges a fraction of that (27,212 of 82,680
points on one store): the nested size is what to adapt. Smaller nested lists buy larger pages; an
owner whose list is longer costs one follow-up request for the rest. `NestedSize` weighs the two.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from graphql import DocumentNode, GraphQLSchema

from oms_tui.shopify.cost import MAX_QUERY_COST, requested_cost

MAX_PAGE_SIZE = 250


def _largest(fits: Callable[[int], bool], budget: int) -> int:
    """The largest n in 1..250 with fits(n), for a cost that grows with n."""
    if not fits(1):
        raise ValueError(f"even one item per page costs more than {budget} points")
    low, high = 1, MAX_PAGE_SIZE  # fits(low) holds
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return low


def largest_first(
    schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any], budget: int
) -> int:
    """The largest `$first` (at most 250) whose cost fits `budget` (and the 1,000 per-query cap)."""
    budget = min(budget, MAX_QUERY_COST)
    return _largest(
        lambda first: requested_cost(schema, document, {**variables, "first": first}) <= budget, budget
    )


def largest_batch(
    schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any], budget: int
) -> int:
    """The most `$ids` (at most 250, Shopify's input limit) one `nodes(ids:)` query may ask for."""
    budget = min(budget, MAX_QUERY_COST)
    return _largest(
        lambda size: requested_cost(schema, document, {**variables, "ids": ["x"] * size}) <= budget, budget
    )


class NestedSize:
    """Chooses the nested list size (`variable`, e.g. `lineItemsFirst`) for the next pages.

    Told the full length of every owner's list read so far (`observe`), it picks the size that
    minimises the expected requests per owner: 1 / (owners per page at that size, by the cost rule)
    + the share of owners whose list is longer (each needs a follow-up request).
    """

    def __init__(self, variable: str = "lineItemsFirst") -> None:
        self.variable = variable
        self.lengths: Counter[int] = Counter()
        self._per_page: dict[tuple[int, int], int] = {}  # (size, budget) -> owners per page

    def observe(self, lengths: Iterable[int]) -> None:
        self.lengths.update(min(length, MAX_PAGE_SIZE) for length in lengths)

    def variables(
        self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any], budget: int
    ) -> dict[str, int]:
        """The nested size to send with the next page (nothing before anything was observed)."""
        if not self.lengths:
            return {}
        owners = longer = self.lengths.total()
        best_size, best = 1, float("inf")
        # The best size is one of the lengths seen: between two, a smaller size costs less.
        for length, count in sorted(self.lengths.items()):
            size = max(length, 1)
            key = (size, budget)
            if key not in self._per_page:
                self._per_page[key] = largest_first(
                    schema, document, {**variables, self.variable: size}, budget
                )
            if 1 / self._per_page[key] >= best:
                break  # larger sizes cost more in pages than the best costs in all
            longer -= count  # owners whose lists are longer than `size`
            cost = 1 / self._per_page[key] + longer / owners
            if cost < best:
                best_size, best = size, cost
        return {self.variable: best_size}
