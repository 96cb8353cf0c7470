"""The demo comes with a floor team and shelves, so `oms-tui` with nothing configured can sign someone in
and pick along a real route."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlmodel import col, select

from oms_tui import runtime as runtime_module
from oms_tui.cache.database import open_cache
from oms_tui.cache.models import AuditEvent, BinLocation, Role, Staff
from oms_tui.config import Settings
from oms_tui.runtime import Runtime


@pytest.fixture
def demo_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("OMS_DATABASE_URL", f"sqlite:///{tmp_path / 'cache.sqlite3'}")
    open_cache(os.environ["OMS_DATABASE_URL"]).close()  # as `oms-tui db upgrade` makes it
    monkeypatch.delenv("OMS_SHOP_URL", raising=False)
    monkeypatch.setattr(runtime_module, "DEMO_ORDERS", 5)
    return Settings(station="demo-1")


def test_the_demo_cache_has_a_picker_a_packer_and_a_manager_once(demo_settings: Settings) -> None:
    for _ in range(2):  # a restart adds nobody twice
        runtime = Runtime.start(demo_settings)
        runtime.close()
    runtime = Runtime.start(demo_settings)
    try:
        with runtime.cache.reads() as session:
            team = {(s.code, s.role) for s in session.exec(select(Staff).where(col(Staff.active)))}
            added = session.exec(select(AuditEvent.subject).where(AuditEvent.action == "staff.add")).all()
    finally:
        runtime.close()
    assert team == {("PICK1", Role.PICKER), ("PACK1", Role.PACKER), ("BOSS1", Role.MANAGER)}
    assert sorted(added) == ["BOSS1", "PACK1", "PICK1"]


def test_the_demo_shelves_every_shipped_sku_once_and_keeps_a_warehouses_own(demo_settings: Settings) -> None:
    runtime = Runtime.start(demo_settings)
    try:
        store = runtime.demo_store
        assert store is not None
        skus = {variant.sku for variant in store.variants if variant.requires_shipping}
        with runtime.cache.sessions() as session:
            shelves = session.exec(select(BinLocation)).all()
            everywhere = {(where, sku) for where in store.locations for sku in skus}
            assert {(s.location_id, s.sku) for s in shelves} == everywhere
            codes = {s.code for s in shelves if s.location_id == shelves[0].location_id}
            assert len(codes) == len(skus)  # a shelf of its own for each SKU
            session.delete(shelves[0])
            session.add(BinLocation(location_id=shelves[0].location_id, sku=shelves[0].sku, code="Z-99-9"))
            session.commit()
    finally:
        runtime.close()
    runtime = Runtime.start(demo_settings)  # a restart leaves shelves the warehouse changed alone
    try:
        with runtime.cache.reads() as session:
            moved = session.exec(select(BinLocation).where(BinLocation.sku == shelves[0].sku)).all()
    finally:
        runtime.close()
    assert "Z-99-9" in {s.code for s in moved} and shelves[0].code not in {
        s.code for s in moved if s.location_id == shelves[0].location_id
    }


def test_a_configured_shop_gets_no_demo_staff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}",
        shop_url="https://my-brand.myshopify.com",
        shopify_token="shpat_x",
    )
    open_cache(settings.database_url).close()
    runtime = Runtime.start(settings)
    try:
        with runtime.cache.reads() as session:
            assert session.exec(select(Staff)).all() == []
            assert session.exec(select(BinLocation)).all() == []
    finally:
        runtime.close()
