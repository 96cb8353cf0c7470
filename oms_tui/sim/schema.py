"""The simulator's executable schema: the committed subset SDL, shipped as package data."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from graphql import GraphQLSchema, build_schema

SUBSET_FILE = "admin-2026-04-subset.graphql"


def subset_sdl() -> str:
    return files("oms_tui.sim").joinpath(SUBSET_FILE).read_text()


@cache
def subset_schema() -> GraphQLSchema:
    """The served subset of the Admin API schema, without resolvers (for validation and cost)."""
    return build_schema(subset_sdl())
