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
    assert oms("staff", "add", "M01", "Max Manager", "--role", "manager").exit_code == 0
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
    result = oms("ship", order.name, "--no-notify", "--staff", "P01")
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
        ["release", order.name, "--staff", "P01"],
        ["move", order.name, "--to", other.location.name, "--staff", "P01"],
        ["note", order.name, "call", "before", "delivery"],
        ["tag", order.name, "rush", "gift"],
        ["cancel", order.id, "--reason", "customer", "--refund", "store-credit", "--staff", "M01"],
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
    assert oms("staff", "add", "M01", "Max Manager", "--role", "manager").exit_code == 0
    order, _ = split_order(store)
    cancelling = ["--reason", "customer", "--refund", "original", "--restock", "--staff", "M01"]
    result = oms("cancel", order.name, *cancelling)
    assert result.exit_code == 0, result.output
    with serving(store, monkeypatch):
        pushed = oms("outbox", "push")
    assert pushed.stdout == "sent 1, rejected 0, still waiting 0\n", pushed.output
    request = store.orders[order.id].cancel_request
    assert request is not None
    assert (request.reason, request.restock, request.refund_method) == (
        "CUSTOMER", True, {"originalPaymentMethodsRefund": True},
    )  # fmt: skip


def test_only_a_manager_cancels_and_a_picker_needs_a_managers_approval(db_url: str, shop: SimStore) -> None:
    assert oms("staff", "add", "K01", "Kim Picker", "--role", "picker").exit_code == 0
    order, _ = split_order(shop)
    cancelling = ["cancel", order.name, "--reason", "customer", "--refund", "none"]
    refused = oms(*cancelling, "--staff", "K01")
    assert refused.exit_code != 0
    assert "Kim Picker (picker) may not cancel orders: ask a manager" in refused.output
    assert oms(*cancelling).exit_code != 0  # nobody named: nobody signed in may not cancel either
    assert (
        oms(*cancelling, "--staff", "K01", "--approved-by", "P01").exit_code != 0
    )  # a packer approves nothing
    assert recorded(db_url) == ([], [])
    approved = oms(*cancelling, "--staff", "K01", "--approved-by", "m01")
    assert approved.exit_code == 0, approved.output
    (action,), (event,) = recorded(db_url)
    assert (action.kind, action.staff_code) == ("cancel", "K01")
    assert (event.staff_code, event.details["approvedBy"]) == ("K01", "M01")


def test_a_deactivated_person_acts_no_more(db_url: str, shop: SimStore) -> None:
    order, _ = split_order(shop)
    assert oms("staff", "deactivate", "P01").exit_code == 0
    refused = oms("hold", order.name, "--reason", "other", "--staff", "P01")
    assert refused.exit_code != 0 and "no longer active" in refused.output
    assert recorded(db_url) == ([], [])
    listed = oms("staff", "list").stdout.splitlines()
    assert [line.split()[0] for line in listed] == ["M01", "P01"]  # active first
    assert listed[1].endswith("(inactive)")


@pytest.mark.parametrize(
    "number", ["1Z\x1b[31mRED\x07", "   ", "9" * 10_000, "ab"], ids=["escape", "spaces", "10KB", "short"]
)
def test_a_tracking_number_that_is_none_is_refused_in_one_line(
    db_url: str, shop: SimStore, number: str
) -> None:
    order, _ = split_order(shop)
    result = oms("ship", order.name, "--tracking", number, "--staff", "P01")
    assert result.exit_code != 0
    assert "is not a tracking number" in result.output and len(result.output.splitlines()) == 1
    assert "\x1b" not in result.output and len(result.output) < 200
    assert recorded(db_url) == ([], [])


def test_tags_are_split_on_commas_as_the_store_splits_them(db_url: str, shop: SimStore) -> None:
    order, _ = split_order(shop)
    assert oms("tag", order.name, "rush, gift", "vip").exit_code == 0
    (action,), _ = recorded(db_url)
    assert action.payload["tags"] == ["rush", "gift", "vip"]
    refused = oms("tag", order.name, "x" * 41)
    assert refused.exit_code != 0 and "at most 40 characters" in refused.output
