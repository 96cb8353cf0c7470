"""Floor actions from the command line: recorded like the app records them, delivered by `outbox push`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from oms_tui.cache.database import open_cache
from oms_tui.cache.models import AuditEvent, OutboxAction
from oms_tui.sim.store import SimStore
from tests.cli_shop import oms, serving, split_order, synced_store


def database_file(url: str) -> Path:
    return Path(make_url(url).database or "")


def recorded(db_url: str) -> tuple[list[OutboxAction], list[AuditEvent]]:
    cache = open_cache(db_url)
    with cache.sessions() as session:
        actions = list(session.exec(select(OutboxAction).order_by(col(OutboxAction.id))))
        events = list(session.exec(select(AuditEvent).where(col(AuditEvent.action).startswith("store."))))
    cache.close()
    return actions, events


@pytest.fixture(scope="module")
def synced_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[SimStore, Path]:
    """One first sync for the tests that only record actions (none of them reaches the store)."""
    path = tmp_path_factory.mktemp("template") / "cache.sqlite3"
    return synced_store(f"sqlite:///{path}"), path


@pytest.fixture
def shop(db_url: str, synced_template: tuple[SimStore, Path]) -> SimStore:
    store, template = synced_template
    shutil.copy(template, database_file(db_url))
    assert oms("staff", "add", "P01", "Pat Packer", "--role", "packer").exit_code == 0
    return store


def test_a_shipment_by_sku_is_recorded_once_and_push_delivers_it(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = synced_store(db_url)
    assert oms("staff", "add", "P01", "Pat Packer", "--role", "packer").exit_code == 0
    order, (_, fo) = split_order(store)
    line = fo.line_items[0]
    number = order.name.removeprefix("#")
    parcel = ["--tracking", "OMS-CLI-1", "--carrier", "DHL Express"]
    result = oms("ship", number, "--line", f"{line.sku}=1", *parcel, "--staff", "p01")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"action 1: fulfill {order.name}\n"
    (action,), (event,) = recorded(db_url)
    assert (action.kind, action.staff_code, action.payload["fulfillmentOrderId"]) == ("fulfill", "P01", fo.id)
    assert action.payload["lines"] == [{"id": line.id, "quantity": 1}]
    assert (event.action, event.staff_code, event.subject) == ("store.fulfill", "P01", fo.id)
    assert not order.fulfillments  # recorded here; the store hears of it when the outbox is pushed

    with serving(store, monkeypatch):
        pushed = oms("outbox", "push")
    assert pushed.exit_code == 0, pushed.output
    assert pushed.stdout == "sent 1, rejected 0, still waiting 0\n"
    assert [
        (fulfillment.quantities, [info.number for info in fulfillment.tracking_info])
        for fulfillment in order.fulfillments
    ] == [({line.line_item.id: 1}, ["OMS-CLI-1"])]


def test_shipping_a_whole_order_ships_each_open_fulfillment_order(db_url: str, shop: SimStore) -> None:
    order, fos = split_order(shop)
    result = oms("ship", order.name, "--no-notify")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"action 1: fulfill {order.name}",
        f"action 2: fulfill {order.name}",
    ]
    actions, _ = recorded(db_url)
    assert {action.payload["fulfillmentOrderId"] for action in actions} == {fo.id for fo in fos}
    assert all(action.payload["notifyCustomer"] is False for action in actions)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ship", "#99999"], "no order #99999 in the cache"),
        (["ship", "{order}", "--line", "NOPE-1=1"], "NOPE-1 is not on {order}"),
        (["ship", "{order}", "--line", "{sku}={too_many}"], "{sku}: {too_many} to ship but only {left} left"),
        (["ship", "{order}", "--line", "{sku}=1", "--line", "NOPE-1=1"], "NOPE-1 is not on {order}"),
        (["ship", "{order}", "--line", "{sku}=two"], "--line {sku}=two: write SKU=QUANTITY"),
        (["ship", "{order}", "--carrier", "DHL"], "--carrier needs --tracking"),
        (["hold", "{order}", "--reason", "other", "--staff", "nobody"], "unknown staff code 'NOBODY'"),
        (["move", "{order}", "--to", "Atlantis"], "unknown location 'Atlantis'; active locations: "),
        (["release", "{order}"], "{order} has no hold to release"),
        (["tag", "{order}", " "], "no tags to add"),
    ],
)
def test_bad_input_is_one_line_and_records_nothing(
    db_url: str, shop: SimStore, args: list[str], message: str
) -> None:
    order, (fo, _) = split_order(shop)
    line = fo.line_items[0]
    values = {"order": order.name, "sku": line.sku, "left": line.remaining_quantity,
              "too_many": line.remaining_quantity + 1}  # fmt: skip
    result = oms(*(arg.format(**values) for arg in args))
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert line.startswith(f"Error: {message.format(**values)}"), line
    assert recorded(db_url) == ([], [])


def test_each_action_is_recorded_for_the_store(db_url: str, shop: SimStore) -> None:
    order, (fo, other) = split_order(shop)
    commands = [
        ["hold", order.name, "--reason", "incorrect_address", "--note", "no flat number", "--staff", "P01"],
        ["release", order.name],
        ["move", order.name, "--to", other.location.name],
        ["note", order.name, "call", "before", "delivery"],
        ["tag", order.name, "rush", "gift"],
        ["cancel", order.id, "--reason", "customer", "--refund", "store-credit"],
    ]
    for command in commands:
        result = oms(*command)
        assert result.exit_code == 0, (command, result.output)
    actions, events = recorded(db_url)
    assert [action.kind for action in actions] == [
        "hold", "hold", "release_hold", "release_hold", "move", "note", "tags", "cancel",
    ]  # fmt: skip
    assert [event.action.removeprefix("store.") for event in events] == [action.kind for action in actions]
    hold, move, note, tags, cancel = actions[0], actions[4], actions[5], actions[6], actions[7]
    assert (hold.payload["reason"], hold.payload["reasonNotes"], hold.staff_code) == (
        "INCORRECT_ADDRESS", "no flat number", "P01",
    )  # fmt: skip
    assert (move.payload["fulfillmentOrderId"], move.payload["newLocationId"]) == (fo.id, other.location.id)
    assert note.payload["note"] == "call before delivery"
    assert tags.payload["tags"] == ["rush", "gift"]
    assert (cancel.payload["reason"], cancel.payload["refund"], cancel.payload["restock"]) == (
        "CUSTOMER", "store-credit", False,
    )  # fmt: skip


def test_a_cancellation_reaches_the_store_with_its_refund_decision(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = synced_store(db_url)
    order, _ = split_order(store)
    result = oms("cancel", order.name, "--reason", "customer", "--refund", "original", "--restock")
    assert result.exit_code == 0, result.output
    with serving(store, monkeypatch):
        pushed = oms("outbox", "push")
    assert pushed.stdout == "sent 1, rejected 0, still waiting 0\n", pushed.output
    request = store.orders[order.id].cancel_request
    assert request is not None
    assert (request.reason, request.restock, request.refund_method) == (
        "CUSTOMER", True, {"originalPaymentMethodsRefund": True},
    )  # fmt: skip
