"""The schema the client walks to size pages and pace requests.

The full 2026-04 schema is 3.4 MB and takes seconds to build, so the project keeps one committed
subset of it: the types and fields the simulator serves, which cover every document the client sends
(a test checks that each document validates and costs the same against it as against the full schema).
"""

from __future__ import annotations

from graphql import GraphQLSchema

from oms_tui.sim.schema import subset_schema


def store_schema() -> GraphQLSchema:
    return subset_schema()
