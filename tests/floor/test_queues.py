"""Each stage's queue holds the fulfillment orders a person would expect there, most urgent first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from oms_tui.cache.engine import read_session_factory
from oms_tui.cache.models import (
    AuditEvent,
    Claim,
    FloorException,
    Fulfillment,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    Order,
    PackSession,
    PickList,
    PickListLine,
    Role,
    Staff,
)
from oms_tui.cache.order_search import rebuild_order_search
from oms_tui.cache.order_tags import rebuild_order_tags
from oms_tui.cache.priority import order_priority
from oms_tui.floor.actions.store_actions import Actor, add_tags
from oms_tui.floor.queues import queue_filters
from oms_tui.floor.queues.channels import channels
from oms_tui.floor.queues.queue_filters import QueueFilter, picked_orders
from oms_tui.floor.queues.queue_source import QueueSource
from oms_tui.floor.queues.queues import count, position, window, window_query
from oms_tui.floor.queues.stages import Stage, stage_condition

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
MAIN, EAST = "gid://shopify/Location/1", "gid://shopify/Location/2"


def add_order(
    session: Session,
    name: str,
    *,
    hours_old: float,
    status: str = "OPEN",
    tags: tuple[str, ...] = (),
    location: str = MAIN,
    cancelled: bool = False,
    units: tuple[int, int] = (2, 2),  # (left, in all)
    channel: str = "web",
) -> str:
    order_id, fo_id = f"gid://shopify/Order/{name}", f"gid://shopify/FulfillmentOrder/{name}"
    created = NOW - timedelta(hours=hours_old)
    session.add(
        Order(
            id=order_id,
            name=f"#{name}",
            customer_name=f"Customer {name}",
            fulfillment_status="UNFULFILLED",
            tags=list(tags),
            priority=order_priority(tags),
            created_at=created,
            updated_at=created,
            cancelled_at=NOW if cancelled else None,
            channel=channel,
            synced_at=NOW,
        )
    )
    session.add(
        FulfillmentOrder(
            id=fo_id,
            order_id=order_id,
            status=status,
            location_id=location,
            location_name="Main Warehouse" if location == MAIN else "East Coast DC",
            created_at=created,
            updated_at=created,
            synced_at=NOW,
        )
    )
    session.add(
        FulfillmentOrderLineItem(
            id=f"gid://shopify/FulfillmentOrderLineItem/{name}",
            fulfillment_order_id=fo_id,
            line_item_id=f"gid://shopify/LineItem/{name}",
            total_quantity=units[1],
            remaining_quantity=units[0],
        )
    )
    session.flush()  # parents first: rows of other tables may refer to these
    return fo_id


def on_pick_list(session: Session, fo_id: str, state: str, *, picked: bool) -> None:
    pick_list = PickList(staff_code="P01", station="pick-1", location_id=MAIN, state=state)
    session.add(pick_list)
    session.flush()
    assert pick_list.id is not None
    session.add(
        PickListLine(
            pick_list_id=pick_list.id,
            sequence=1,
            fulfillment_order_id=fo_id,
            fulfillment_order_line_item_id=fo_id.replace("FulfillmentOrder", "FulfillmentOrderLineItem"),
            needed=2,
            picked=2 if picked else 1,
        )
    )


@pytest.fixture
def floor(session: Session) -> Session:
    """A floor with one fulfillment order in every situation the stages tell apart."""
    session.add(Staff(code="P01", name="Ana Pereira", role=Role.PICKER))
    session.flush()
    add_order(session, "1001", hours_old=30)  # late, waiting for a picker
    add_order(session, "1002", hours_old=2, tags=("Rush",))  # rush: first although newer
    add_order(session, "1003", hours_old=20, location=EAST, tags=("gift",), channel="pos")
    claimed = add_order(session, "1004", hours_old=10)
    session.add(
        Claim(
            fulfillment_order_id=claimed,
            staff_code="P01",
            station="pick-1",
            lease_until=NOW + timedelta(minutes=20),
        )
    )
    expired = add_order(session, "1005", hours_old=9, channel="pos")
    session.add(
        Claim(
            fulfillment_order_id=expired,
            staff_code="P01",
            station="pick-1",
            lease_until=NOW - timedelta(minutes=1),
        )
    )
    on_pick_list(session, add_order(session, "1006", hours_old=8), "open", picked=False)
    on_pick_list(session, add_order(session, "1007", hours_old=7), "done", picked=True)
    on_pick_list(session, add_order(session, "1008", hours_old=6), "open", picked=True)
    on_pick_list(session, add_order(session, "1009", hours_old=5), "abandoned", picked=False)
    add_order(session, "1010", hours_old=40, status="ON_HOLD", channel="shopify_draft_order")
    add_order(session, "1011", hours_old=26, status="CLOSED", units=(0, 3))
    session.add(
        Fulfillment(
            id="gid://shopify/Fulfillment/1011",
            order_id="gid://shopify/Order/1011",
            status="SUCCESS",
            created_at=NOW - timedelta(minutes=10),
        )
    )
    add_order(session, "1012", hours_old=50, status="CLOSED", units=(0, 1))
    session.add(
        Fulfillment(
            id="gid://shopify/Fulfillment/1012",
            order_id="gid://shopify/Order/1012",
            status="SUCCESS",
            created_at=NOW - timedelta(hours=30),
        )
    )
    shipped_here = add_order(session, "1013", hours_old=4, status="CLOSED", units=(0, 1))
    session.add(
        AuditEvent(
            at=NOW - timedelta(minutes=5), station="pack-1", action="store.fulfill", subject=shipped_here
        )
    )
    add_order(session, "1014", hours_old=3, cancelled=True)  # cancelled here, not yet at the store
    add_order(session, "1015", hours_old=1)
    session.add(
        FloorException(
            kind="short pick", severity="warning", order_id="gid://shopify/Order/1015", message="short"
        )
    )
    add_order(session, "1016", hours_old=11)
    session.add(
        FloorException(
            kind="address_incomplete",
            severity="warning",
            state="resolved",
            order_id="gid://shopify/Order/1016",
            message="fixed",
        )
    )
    session.flush()
    rebuild_order_search(session.connection())  # as sync's writers keep them: search and the tag
    rebuild_order_tags(session.connection())  # filter read these indexes
    session.commit()
    return session


EVERYTHING = QueueFilter()


def names(session: Session, stage: Stage, filters: QueueFilter = EVERYTHING) -> list[str]:
    return [row.order_name for row in window(session, stage, filters, NOW, limit=100)]


STAGES = {
    Stage.READY_TO_PICK: ["#1002", "#1001", "#1003", "#1016", "#1005", "#1009", "#1015"],
    Stage.PICKING: ["#1004", "#1006"],
    Stage.READY_TO_PACK: ["#1007", "#1008"],
    Stage.ON_HOLD: ["#1010"],
    Stage.EXCEPTIONS: ["#1015"],
    Stage.SHIPPED_TODAY: ["#1011", "#1013"],
}


def test_each_stage_holds_its_work_rush_first_then_oldest(floor: Session) -> None:
    for stage, expected in STAGES.items():
        assert names(floor, stage) == expected, stage
        assert count(floor, stage, QueueFilter(), NOW) == len(expected), stage


def test_an_order_at_a_packing_bench_is_ready_to_pack(floor: Session) -> None:
    packing = "gid://shopify/FulfillmentOrder/1016"
    floor.add(PackSession(fulfillment_order_id=packing, staff_code="P01", station="pack-1"))
    floor.commit()
    assert names(floor, Stage.READY_TO_PACK) == ["#1016", "#1007", "#1008"]
    assert "#1016" not in names(floor, Stage.READY_TO_PICK)
    assert count(floor, Stage.READY_TO_PICK, QueueFilter(), NOW) == len(STAGES[Stage.READY_TO_PICK]) - 1


def add_line(session: Session, name: str, *, left: int, ships: bool, extra: bool = True) -> None:
    """A line on order `name`'s fulfillment order (`extra`: besides the one `add_order` made);
    `ships` False: a gift card or a download."""
    suffix = "-2" if extra else ""
    line_id = f"gid://shopify/LineItem/{name}{suffix}"
    session.add(
        LineItem(
            id=line_id,
            order_id=f"gid://shopify/Order/{name}",
            sku=None if not ships else f"SKU-{name}",
            title="Gift Card - $50" if not ships else "Tee",
            quantity=max(left, 1),
            current_quantity=max(left, 1),
            unfulfilled_quantity=left,
            requires_shipping=ships,
        )
    )
    if extra:
        session.add(
            FulfillmentOrderLineItem(
                id=f"gid://shopify/FulfillmentOrderLineItem/{name}{suffix}",
                fulfillment_order_id=f"gid://shopify/FulfillmentOrder/{name}",
                line_item_id=line_id,
                total_quantity=max(left, 1),
                remaining_quantity=left,
            )
        )


def test_lines_that_need_no_shipping_are_no_work_and_leave_the_queue_once_the_goods_shipped(
    floor: Session,
) -> None:
    add_order(floor, "1017", hours_old=12)  # two gift cards, nothing else
    add_line(floor, "1017", left=2, ships=False, extra=False)
    shipped = add_order(floor, "1018", hours_old=12, status="IN_PROGRESS", units=(0, 1))  # its tee left today
    add_line(floor, "1018", left=1, ships=False)  # ... its gift card stays with the store
    on_pick_list(floor, shipped, "done", picked=True)
    floor.add(
        AuditEvent(at=NOW - timedelta(minutes=3), station="pack-1", action="store.fulfill", subject=shipped)
    )
    add_order(floor, "1019", hours_old=12, units=(1, 1))  # a tee and a gift card: one unit to pick
    add_line(floor, "1019", left=1, ships=False)
    floor.commit()

    picking = [*STAGES[Stage.READY_TO_PICK][:3], "#1019", *STAGES[Stage.READY_TO_PICK][3:]]
    expected = {
        **STAGES,
        Stage.READY_TO_PICK: picking,
        Stage.SHIPPED_TODAY: ["#1011", "#1018", "#1013"],
    }
    for stage, orders in expected.items():
        assert names(floor, stage) == orders, stage
        assert count(floor, stage, QueueFilter(), NOW) == len(orders), stage
    rows = {row.order_name: row for row in window(floor, Stage.ALL, QueueFilter(), NOW, limit=100)}
    assert rows["#1019"].items == 1  # the units to pick and pack, not the gift card


def test_all_holds_every_fulfillment_order(floor: Session) -> None:
    everything = names(floor, Stage.ALL)
    assert everything[0] == "#1002" and len(everything) == 16
    assert count(floor, Stage.ALL, QueueFilter(), NOW) == 16


def test_filters_by_location_status_and_whole_tag(floor: Session) -> None:
    assert names(floor, Stage.READY_TO_PICK, QueueFilter(location_id=EAST)) == ["#1003"]
    assert names(floor, Stage.ALL, QueueFilter(status="ON_HOLD")) == ["#1010"]
    assert names(floor, Stage.READY_TO_PICK, QueueFilter(tag="RUSH")) == ["#1002"]
    assert names(floor, Stage.READY_TO_PICK, QueueFilter(tag="rus")) == []
    assert count(floor, Stage.READY_TO_PICK, QueueFilter(tag="gift"), NOW) == 1


def test_a_tag_added_on_the_floor_filters_the_queue_at_once(floor: Session) -> None:
    vip = QueueFilter(tag="vip")
    assert names(floor, Stage.READY_TO_PICK, vip) == []
    add_tags(floor, Actor("desk-1"), "gid://shopify/Order/1016", ["VIP", "gift"])
    add_tags(floor, Actor("desk-1"), "gid://shopify/Order/1001", [" Vip "])
    floor.commit()
    assert names(floor, Stage.READY_TO_PICK, vip) == ["#1001", "#1016"]
    assert count(floor, Stage.READY_TO_PICK, vip, NOW) == 2
    assert names(floor, Stage.READY_TO_PICK, QueueFilter(tag="GIFT")) == ["#1003", "#1016"]


def test_filters_by_channel(floor: Session) -> None:
    pos = QueueFilter(channel="pos")
    assert names(floor, Stage.READY_TO_PICK, pos) == ["#1003", "#1005"]
    assert count(floor, Stage.READY_TO_PICK, pos, NOW) == 2
    assert names(floor, Stage.ON_HOLD, QueueFilter(channel="shopify_draft_order")) == ["#1010"]
    assert names(floor, Stage.READY_TO_PICK, QueueFilter(channel="pos", tag="gift")) == ["#1003"]
    assert count(floor, Stage.ALL, QueueFilter(channel="web"), NOW) == 13
    assert channels(floor) == ["pos", "shopify_draft_order", "web"]


@pytest.mark.parametrize("empty_engine", ["sqlite"], indirect=True)  # PostgreSQL plans from statistics
def test_tag_and_channel_filters_read_their_indexes(floor: Session) -> None:
    """SQLite: a rare tag's few orders gathered once, then looked up by id and sorted; a channel's
    queue in its index's order."""
    picked = picked_orders(floor, Stage.ALL, QueueFilter(tag="gift"))
    assert picked is not None and picked.by == "tag" and 0 < len(picked.order_ids) < queue_filters.RARE
    for filters, index in (
        (QueueFilter(tag="gift"), "ix_fulfillment_orders_of_order (order_id=?)"),
        (QueueFilter(channel="pos"), "INDEX ix_orders_channel_queue"),
    ):
        plan = window_plan(floor, Stage.ALL, filters)
        assert index in plan, plan
        assert "SCAN orders" not in plan and "SCAN fulfillment_orders" not in plan, plan


@pytest.mark.parametrize("empty_engine", ["sqlite"], indirect=True)  # PostgreSQL plans from statistics
def test_a_big_queue_is_read_along_its_index_not_sorted_whole(floor: Session) -> None:
    for stage in (Stage.READY_TO_PICK, Stage.ON_HOLD):
        plan = window_plan(floor, stage, QueueFilter())
        assert "SCAN orders USING COVERING INDEX ix_orders_queue_order" in plan, plan
        assert "SCAN fulfillment_orders" not in plan and "B-TREE FOR ORDER BY" not in plan, plan


@pytest.mark.parametrize("empty_engine", ["sqlite"], indirect=True)  # PostgreSQL plans from statistics
def test_counting_a_queue_lists_the_cancelled_orders_from_their_own_index(floor: Session) -> None:
    query = select(func.count()).select_from(FulfillmentOrder).where(stage_condition(Stage.PICKING, NOW))
    sql = query.compile(dialect=floor.get_bind().dialect, compile_kwargs={"literal_binds": True})
    plan = " | ".join(row[-1] for row in floor.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    assert "SCAN orders USING COVERING INDEX ix_orders_cancelled" in plan, plan  # not every order


def window_plan(session: Session, stage: Stage, filters: QueueFilter) -> str:
    query = window_query(session, stage, filters, NOW).limit(40)
    sql = query.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True})
    return " | ".join(row[-1] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))


def test_filters_find_the_same_rows_read_either_way(floor: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """Few matches are gathered first and sorted, many are checked row by row along the queue."""
    cases = [
        (Stage.ALL, QueueFilter(tag="gift")),
        (Stage.ALL, QueueFilter(search="customer 100")),  # every word, anywhere in the document
        (Stage.READY_TO_PICK, QueueFilter(search="100", tag="gift")),
        (Stage.ON_HOLD, QueueFilter(search="customer")),
    ]
    gathered = [(names(floor, stage, f), count(floor, stage, f, NOW)) for stage, f in cases]
    assert all(rows for rows, _ in gathered)
    monkeypatch.setattr(queue_filters, "RARE", 1)  # every tag and search counts as common
    assert [(names(floor, stage, f), count(floor, stage, f, NOW)) for stage, f in cases] == gathered


def test_search_narrows_a_queue(floor: Session) -> None:
    assert names(floor, Stage.ALL, QueueFilter(search="1013")) == ["#1013"]


def test_a_row_shows_units_left_who_has_it_and_the_sla(floor: Session) -> None:
    rows = {row.order_name: row for row in window(floor, Stage.ALL, QueueFilter(), NOW, limit=100)}
    assert rows["#1004"].holder == "Ana Pereira"
    assert rows["#1005"].holder is None  # the claim expired
    assert rows["#1001"].items == 2 and rows["#1011"].items == 3  # shipped: every unit
    assert rows["#1001"].time_left(NOW) == timedelta(hours=-6)  # due as the 24 h SLA has it
    assert rows["#1002"].time_left(NOW) == timedelta(hours=22)
    assert rows["#1002"].tags == ("Rush",) and rows["#1003"].location == "East Coast DC"


def test_windows_read_in_any_order_match_the_whole_queue(floor: Session) -> None:
    engine = floor.get_bind()
    assert isinstance(engine, Engine)
    whole = [row.key for row in window(floor, Stage.ALL, QueueFilter(), NOW, limit=100)]
    source = QueueSource(read_session_factory(engine), Stage.ALL, QueueFilter(), lambda: NOW)
    assert source.count() == 16
    # From the end (by OFFSET from the end), then backwards and forwards by keyset, then a middle one.
    for offset in (12, 9, 6, 3, 0, 3, 6, 9, 12, 15, 7):
        assert [row.key for row in source.window(offset, 3)] == whole[offset : offset + 3], offset


@pytest.mark.parametrize("empty_engine", ["sqlite"], indirect=True)  # PostgreSQL gathers nothing
def test_a_shown_queue_gathers_its_searchs_orders_once_and_again_at_each_recount(
    floor: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    filters = QueueFilter(search="customer")
    matching = count(floor, Stage.ALL, filters, NOW)
    gathered: list[QueueFilter] = []
    gather = queue_filters.picked_orders
    monkeypatch.setattr(
        queue_filters, "picked_orders", lambda *args: gathered.append(args[2]) or gather(*args)
    )
    engine = floor.get_bind()
    assert isinstance(engine, Engine)
    source = QueueSource(read_session_factory(engine), Stage.ALL, filters, lambda: NOW)
    first = source.window(0, 3) + source.window(3, 3)  # as a table shows a new queue: rows, then the count
    assert source.count() == matching > 3
    assert gathered == [filters]
    assert source.count() == matching  # the rows may have changed since: gathered again
    assert gathered == [filters, filters]
    assert [row.key for row in first] == [row.key for row in source.window(0, 6)]


def test_position_finds_a_row_or_says_it_is_not_there(floor: Session) -> None:
    whole = [row.key for row in window(floor, Stage.READY_TO_PICK, QueueFilter(), NOW, limit=100)]
    for index, key in enumerate(whole):
        assert position(floor, Stage.READY_TO_PICK, QueueFilter(), NOW, key) == index
    picking = "gid://shopify/FulfillmentOrder/1004"
    assert position(floor, Stage.READY_TO_PICK, QueueFilter(), NOW, picking) is None
