"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema

FULL_SCHEMA_PATH = Path(__file__).resolve().parents[2] / "shared" / "shopify" / "admin-2026-04.graphql"


@pytest.fixture(scope="session")
def full_schema() -> GraphQLSchema:
    """The real Admin API schema (2026-04), built once per run (about 2 s)."""
    if not FULL_SCHEMA_PATH.exists():
        pytest.skip(f"full Admin schema not found at {FULL_SCHEMA_PATH}")
    return build_schema(FULL_SCHEMA_PATH.read_text(), assume_valid_sdl=True)
