"""Which label service a station uses, and the API key never shown: settings, the key file, the demo."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr

from oms_tui.carriers.base import Rate
from oms_tui.config import Settings
from oms_tui.floor.labels.rules import choose_rate, max_days
from oms_tui.label_service import NoLabelService, api_key, label_carrier


@pytest.fixture(autouse=True)
def no_settings_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    monkeypatch.delenv("OMS_LABEL_API_KEY", raising=False)


def test_the_key_is_masked_and_never_in_the_carriers_repr() -> None:
    settings = Settings(label_api_key=SecretStr("EZAK_live_secret"))
    assert settings.masked()["label_api_key"] == "**********"
    assert "EZAK_live_secret" not in repr(settings)
    carrier = label_carrier(settings, None)
    assert "EZAK_live_secret" not in repr(carrier) and "api.easypost.com" in repr(carrier)


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "easypost.key"
    path.write_text("EZAK_from_file\n")
    path.chmod(0o644)
    with pytest.raises(NoLabelService, match="chmod 600"):
        api_key(Settings(label_api_key_file=path))
    path.chmod(0o600)
    key = api_key(Settings(label_api_key_file=path))
    assert key is not None and key.get_secret_value() == "EZAK_from_file"


def test_no_key_is_the_demos_imitation_or_a_line_saying_what_to_set() -> None:
    with pytest.raises(NoLabelService, match="OMS_LABEL_API_KEY"):
        label_carrier(Settings(shop_url="my-brand.myshopify.com"), None)
    demo = label_carrier(Settings(), "http://127.0.0.1:8123")
    assert "http://127.0.0.1:8123/easypost/v2" in repr(demo)


def rate(ident: str, price: str, days: int | None) -> Rate:
    return Rate(ident, "USPS", ident, Decimal(price), "USD", days)


def test_the_rule_keeps_the_promise_at_the_lowest_price() -> None:
    rates = [rate("ground", "7.90", 5), rate("priority", "12.25", 2), rate("express", "35.85", 1)]
    assert choose_rate(rates, 5).id == "ground"
    assert choose_rate(rates, 2).id == "priority"
    assert choose_rate(rates[:2], 1).id == "priority", "none keeps it: the fastest"
    settings = Settings(label_delivery_days={"Bike courier": 1}, label_max_days=6)
    assert [
        max_days(settings, m) for m in ("Bike courier", "FedEx 2Day", "Overnight", "UPS Ground", None)
    ] == [
        1,
        2,
        1,
        6,
        6,
    ]
