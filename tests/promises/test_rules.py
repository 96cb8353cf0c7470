"""The managers' rules: checked as the settings load, run on orders as sync writes them, each at most
once per order version, acting through the outbox, on the order's timeline, explained by `rules test`."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.enums import ActionKind, ExceptionKind
from oms_tui.cache.models import (
    FloorException,
    FulfillmentOrder,
    Location,
    Order,
    OrderWave,
    OutboxAction,
    RuleFiring,
)
from oms_tui.config import Settings, SettingsFileError
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.orders.order_detail import load_order_detail
from oms_tui.floor.rules.conditions import OrderView, checks
from oms_tui.floor.rules.rules_pass import run_rules_pass
from oms_tui.rules_settings import Rule, check_rules
from oms_tui.store.payloads import FulfillmentOrderNode, OrderNode
from oms_tui.store.sync_writes import write_fulfillment_orders, write_orders
from tests.cli_shop import oms
from tests.team import hire

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
MAIN, EAST = "gid://shopify/Location/1", "gid://shopify/Location/2"
ACTOR = Actor("rules-1", "M01")

SETTINGS = """\
poll_interval = 5

[[rules]]
name = "Review big first orders"
total_over = "500 EUR"
customer_orders_at_most = 1
hold = "OTHER"
hold_note = "review: a first order over 500 EUR"

[[rules]]
name = "Tag international"
country_not = "DE"
tag = "international"
"""


def settings_file(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    monkeypatch.setenv("OMS_CONFIG_FILE", str(path))


def load_error(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> str:
    settings_file(tmp_path, text, monkeypatch)
    with pytest.raises(SettingsFileError) as caught:
        Settings(database_url=f"sqlite:///{tmp_path}/c.sqlite3")
    return str(caught.value)


def test_rules_as_written_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings_file(tmp_path, SETTINGS, monkeypatch)
    rules = check_rules(Settings(database_url=f"sqlite:///{tmp_path}/c.sqlite3").rules)
    assert [rule.name for rule in rules] == ["Review big first orders", "Tag international"]
    assert rules[0].hold_note == "review: a first order over 500 EUR"


@pytest.mark.parametrize(
    ("change", "line", "says"),
    [
        (
            ("customer_orders_at_most = 1", "customer_order_at_most = 1"),
            6,
            "unknown key 'customer_order_at_most'",
        ),
        (('hold = "OTHER"', 'hold = "LATER"'), 7, "'LATER' is not a hold reason"),
        (('total_over = "500 EUR"', 'total_over = "500"'), 5, 'like "500 EUR"'),
        (('country_not = "DE"', 'country_not = "Germany"'), 12, "not a two-letter country code"),
        (('tag = "international"', 'wave = ""'), 13, "wave must be a text"),
        (
            ('name = "Tag international"', 'name = "review big first orders"'),
            11,
            "another rule has this name",
        ),
    ],
)
def test_a_rule_that_does_not_fit_is_an_error_naming_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: tuple[str, str], line: int, says: str
) -> None:
    message = load_error(tmp_path, SETTINGS.replace(*change), monkeypatch)
    assert f"config.toml, line {line}: " in message and says in message


def test_a_rule_without_an_action_names_its_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = load_error(tmp_path, SETTINGS.replace('tag = "international"\n', ""), monkeypatch)
    assert "line 10: rule 'Tag international' has no action" in message


def _order(**fields: Any) -> Order:
    values: dict[str, Any] = {
        "id": "gid://shopify/Order/1",
        "name": "#1",
        "fulfillment_status": "UNFULFILLED",
        "created_at": T0,
        "updated_at": T0,
        "synced_at": T0,
        "ship_by": T0,
    }
    return Order(**(values | fields))


ORDER = _order(
    tags=["VIP", "gift"],
    channel="web",
    shipping_method="DHL Express Worldwide",
    shipping_address={"countryCodeV2": "fr"},
    total=Decimal("612.40"),
    currency="EUR",
    risk_level="MEDIUM",
    customer_orders=1,
    note="Please gift wrap",
)


@pytest.mark.parametrize(
    ("key", "value", "holds", "seen"),
    [
        ("tags", ["vip"], True, "VIP, gift"),
        ("tags", ["wholesale"], False, "VIP, gift"),
        ("channel", "pos", False, "web"),
        ("channel", ["web", "pos"], True, "web"),
        ("shipping_method", "express", True, "DHL Express Worldwide"),
        ("country", "FR", True, "FR"),
        ("country_not", ["DE", "FR"], False, "FR"),
        ("total_over", "500 EUR", True, "612.40 EUR"),
        ("total_over", "500 USD", False, "612.40 EUR"),  # another currency is not compared
        ("total_under", "20 EUR", False, "612.40 EUR"),
        ("sku", ["TEE-M"], True, "mug, tee-m"),
        ("sku", "CAP", False, "mug, tee-m"),
        ("units_at_least", 3, True, "3"),
        ("units_at_most", 2, False, "3"),
        ("risk", ["high", "medium"], True, "MEDIUM"),
        ("customer_orders_at_most", 1, True, "1 order"),
        ("customer_orders_at_least", 2, False, "1 order"),
        ("note_contains", "GIFT WRAP", True, "'Please gift wrap'"),
    ],
)
def test_each_condition_reads_the_order(key: str, value: Any, holds: bool, seen: str) -> None:
    (rule,) = check_rules([{"name": "r", key: value, "tag": "x"}])
    (check,) = checks(rule, OrderView(ORDER, skus={"tee-m", "mug"}, units=3))
    assert (check.holds, check.seen) == (holds, seen)


def _order_node(version: int = 0, **extra: Any) -> OrderNode:
    payload = {
        "id": "gid://shopify/Order/1",
        "name": "#1",
        "createdAt": T0.isoformat(),
        "updatedAt": (T0 + timedelta(hours=version)).isoformat(),
        "displayFulfillmentStatus": "UNFULFILLED",
        "customer": {"displayName": "Ana", "numberOfOrders": "1"},
        "totalPriceSet": {"shopMoney": {"amount": "612.40", "currencyCode": "EUR"}},
        "shippingAddress": {"countryCodeV2": "FR"},
        "shippingLine": {"title": "DHL Express Worldwide"},
        "lineItems": {"nodes": []},
    }
    return OrderNode.model_validate(payload | extra)


def _fo_node() -> FulfillmentOrderNode:
    return FulfillmentOrderNode.model_validate(
        {
            "id": "gid://shopify/FulfillmentOrder/1",
            "orderId": "gid://shopify/Order/1",
            "status": "OPEN",
            "createdAt": T0.isoformat(),
            "updatedAt": T0.isoformat(),
            "assignedLocation": {"name": "Main", "location": {"id": MAIN}},
            "lineItems": {"nodes": []},
        }
    )


@pytest.fixture
def cache(any_cache: Cache) -> Cache:
    hire(any_cache, "M01")
    with any_cache.sessions() as session:
        session.add(Location(id=MAIN, name="Main", synced_at=T0))
        session.add(Location(id=EAST, name="East Coast DC", synced_at=T0))
        session.commit()
    run_rules_pass(any_cache, [], ACTOR)  # the rules start from here: the feed's end
    return any_cache


def sync(cache: Cache, order: OrderNode, with_fo: bool = True) -> None:
    with cache.sessions() as session:
        write_orders(session, [order], {}, T0)
        if with_fo:
            write_fulfillment_orders(session, [_fo_node()], {}, T0)
        session.commit()


def rules(*tables: dict[str, Any]) -> list[Rule]:
    return check_rules(list(tables))


def outbox(cache: Cache) -> list[tuple[str, dict[str, Any]]]:
    with cache.sessions() as session:
        return [
            (a.kind, a.payload) for a in session.exec(select(OutboxAction).order_by(col(OutboxAction.id)))
        ]


def test_each_action_acts_and_store_actions_go_through_the_outbox(cache: Cache) -> None:
    sync(cache, _order_node())
    written = rules(
        {"name": "review", "total_over": "500 EUR", "hold": "OTHER", "hold_note": "check it"},
        {"name": "abroad", "country_not": "DE", "tag": "international"},
        {"name": "express", "shipping_method": "express", "priority": "rush", "wave": "morning"},
        {"name": "east", "country": "FR", "move_to": "east coast dc", "exception": "ships from the east"},
    )
    fired = run_rules_pass(cache, written, ACTOR)
    assert {f.rule: f.did for f in fired} == {
        "review": ["hold (OTHER: check it)"],
        "abroad": ["tag international"],
        "express": ["priority 0", "wave morning"],
        "east": ["exception: ships from the east"],  # held by then: a hold is not moved
    }
    kinds = [kind for kind, _ in outbox(cache)]
    assert kinds == [ActionKind.HOLD, ActionKind.TAGS]
    with cache.sessions() as session:
        order = session.get(Order, "gid://shopify/Order/1")
        assert order is not None and order.priority == 0 and "international" in order.tags
        assert session.get(OrderWave, order.id).wave == "morning"  # type: ignore[union-attr]
        (problem,) = session.exec(select(FloorException).where(FloorException.kind == ExceptionKind.RULE))
        assert problem.message == "#1: ships from the east (rule east)"


def test_a_move_goes_through_the_outbox(cache: Cache) -> None:
    sync(cache, _order_node())
    (firing,) = run_rules_pass(
        cache, rules({"name": "east", "country": "FR", "move_to": "East Coast DC"}), ACTOR
    )
    assert firing.did == ["move to East Coast DC"]
    ((kind, payload),) = outbox(cache)
    assert kind == ActionKind.MOVE and payload["newLocationId"] == EAST


def test_a_rule_fires_at_most_once_per_order_version(cache: Cache) -> None:
    written = rules({"name": "express", "shipping_method": "express", "priority": "rush"})
    sync(cache, _order_node())
    assert [f.did for f in run_rules_pass(cache, written, ACTOR)] == [["priority 0"]]
    sync(cache, _order_node())  # the same version read again: nothing fires
    assert run_rules_pass(cache, written, ACTOR) == []
    with cache.sessions() as session:  # its fulfillment order changed: the order is looked at again
        fo = _fo_node().model_copy(update={"updated_at": T0 + timedelta(minutes=5)})
        write_fulfillment_orders(session, [fo], {}, T0)
        session.commit()
    assert run_rules_pass(cache, written, ACTOR) == []  # the same version of the order: not again
    sync(cache, _order_node(version=1))  # changed at the store: its priority is the tags' again
    assert [f.did for f in run_rules_pass(cache, written, ACTOR)] == [["priority 0"]]
    sync(cache, _order_node(version=2, shippingLine={"title": "UPS Ground"}))  # no longer matches
    assert run_rules_pass(cache, written, ACTOR) == []
    with cache.sessions() as session:
        assert len(session.exec(select(RuleFiring)).all()) == 2


def test_a_hold_waits_for_the_fulfillment_orders(cache: Cache) -> None:
    written = rules({"name": "review", "total_over": "500 EUR", "hold": "OTHER"})
    sync(cache, _order_node(), with_fo=False)
    assert run_rules_pass(cache, written, ACTOR) == []
    with cache.sessions() as session:
        write_fulfillment_orders(session, [_fo_node()], {}, T0)
        session.commit()
    assert [f.did for f in run_rules_pass(cache, written, ACTOR)] == [["hold (OTHER: rule: review)"]]
    with cache.sessions() as session:
        assert session.get(FulfillmentOrder, "gid://shopify/FulfillmentOrder/1").status == "ON_HOLD"  # type: ignore[union-attr]


def test_a_refused_action_is_an_exception_and_changes_nothing(cache: Cache) -> None:
    sync(cache, _order_node())
    written = rules({"name": "east", "country": "FR", "tag": "east", "move_to": "Moon Base"})
    (firing,) = run_rules_pass(cache, written, ACTOR)
    assert firing.did[0].startswith("could not act: unknown location 'Moon Base'")
    assert outbox(cache) == []  # the tag was undone with the move
    with cache.sessions() as session:
        (problem,) = session.exec(select(FloorException))
        assert "rule 'east' could not act" in problem.message


def test_the_timeline_names_the_rule(cache: Cache) -> None:
    sync(cache, _order_node())
    run_rules_pass(
        cache, rules({"name": "Tag international", "country_not": "DE", "tag": "international"}), ACTOR
    )
    with cache.sessions() as session:
        detail = load_order_detail(session, "gid://shopify/Order/1")
    said = [event.what for event in detail.timeline]
    assert "rule 'Tag international': tag international" in said


def test_rules_test_shows_each_condition_and_what_would_fire(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_file(tmp_path, SETTINGS, monkeypatch)
    from oms_tui.cache.database import open_cache

    cache = open_cache(db_url)
    sync(cache, _order_node())
    cache.close()
    result = oms("rules", "test", "#1")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "#1 (version 2026-12-04 09:00:00 UTC)",
        "rule 'Review big first orders': would fire",
        "  yes total_over: over 500 EUR; the order: 612.40 EUR",
        "  yes customer_orders_at_most: at most 1; the order: 1 order",
        "  then: hold OTHER",
        "rule 'Tag international': would fire",
        "  yes country_not: not DE; the order: FR",
        "  then: tag international",
    ]
    assert (
        oms("rules", "test", "#404").output.strip()
        == "Error: no order #404 in the cache (sync first if it is new)"
    )
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    assert "no rules in the settings" in oms("rules", "test", "#1").output
