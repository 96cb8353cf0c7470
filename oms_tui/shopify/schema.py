"""The Admin API schema both the client and the simulator use: the committed subset SDL (package data).

The full 2026-04 schema takes seconds to build; the subset (see `derive_schema`) covers every document
the client sends, and tests check that each validates and costs the same against both.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from graphql import GraphQLSchema, build_schema

SUBSET_FILE = "admin-2026-04-subset.graphql"


def subset_sdl() -> str:
    return files("oms_tui.shopify").joinpath(SUBSET_FILE).read_text()


@cache
def subset_schema() -> GraphQLSchema:
    """The served subset of the Admin API schema, without resolvers (for validation and cost)."""
    return build_schema(subset_sdl())
