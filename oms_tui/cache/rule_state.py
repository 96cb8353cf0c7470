"""What the settings' rules did: each firing once per order version, and the waves they put orders in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from oms_tui.cache.types import UTCDateTime, utcnow


class RuleFiring(SQLModel, table=True):
    """A rule fired on one version of an order (its `updatedAt`): never again for that version."""

    __tablename__ = "rule_firings"

    rule: str = Field(primary_key=True)
    order_id: str = Field(primary_key=True)
    order_version: datetime = Field(primary_key=True, sa_type=UTCDateTime)
    fired_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actions: list[Any] = Field(default_factory=list, sa_type=JSON)  # what it did, in words


class OrderWave(SQLModel, table=True):
    """An order put in a named wave (work released to the floor together), by a rule."""

    __tablename__ = "order_waves"

    order_id: str = Field(primary_key=True)
    wave: str = Field(index=True)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
