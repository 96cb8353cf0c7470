"""One order: its lines and where to find them, fulfillment orders and holds, shipments, address,
payment and risk, and a timeline of what the store and the floor did. Actions go through the outbox.

Reads and writes run in worker threads; the screen shows the result. Hold, release and move act on
the highlighted fulfillment order.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from oms_tui.actions.permissions import Permission, allowed, refusal, release_permission
from oms_tui.cache.database import Cache
from oms_tui.cache.models import Claim, OutboxAction, Staff
from oms_tui.floor.actions.order_desk import OrderDesk
from oms_tui.floor.actions.store_actions import HOLD_REASONS, ActionRefused
from oms_tui.floor.orders.lookup import NotFound
from oms_tui.floor.orders.order_detail import FulfillmentOrderView, OrderDetail, load_order_detail
from oms_tui.floor.queues.claims import claim, holder, reassign
from oms_tui.screens.approval import permitted
from oms_tui.screens.cancel_modal import CancelChoice, CancelModal
from oms_tui.screens.choice_modal import Choice, ChoiceModal
from oms_tui.screens.floor_app import floor_app
from oms_tui.screens.label_reprint import reprint_label
from oms_tui.screens.lean_screen import LeanScreen
from oms_tui.screens.message_flow import write_message
from oms_tui.screens.messages import LiveUpdated, StaffChanged
from oms_tui.screens.queue_screen import age
from oms_tui.screens.text_modal import TextModal
from oms_tui.widgets.fitted_table import FittedTable, Row
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.shell_header import ShellHeader
from oms_tui.widgets.table_columns import Column

Act = Callable[[Session], OutboxAction]  # records the action in the session's transaction
ClaimAct = Callable[[Session], Claim]


def words(value: str | None) -> str:
    return (value or "").replace("_", " ").lower()


def when(moment: datetime, now: datetime) -> str:
    """A time as the floor reads it: the clock today, the date before, and how long ago."""
    shown = moment.strftime("%H:%M") if moment.date() == now.date() else moment.strftime("%d %b %H:%M")
    return f"{shown} ({age(moment, now)} ago)"


# By content; a narrow screen cuts the long ones and hides the highest priority numbers first.
LINE_COLUMNS = (
    Column("Item", min_width=12, max_width=40), Column("SKU", max_width=24),
    Column("Bin", min_width=6, max_width=20), Column("Stock", priority=3), Column("Qty"),
    Column("Fulfilled", priority=2), Column("Left"),
)  # fmt: skip
FULFILLMENT_ORDER_COLUMNS = (
    Column("Location", min_width=10, max_width=24), Column("Status"), Column("Left", priority=2),
    Column("Claimed by", min_width=10, max_width=30), Column("Holds", min_width=12, priority=2, flex=True),
)  # fmt: skip
SHIPMENT_COLUMNS = (  # the tracking number whole: support reads it out to the customer
    Column("Shipped", min_width=12, priority=2), Column("Carrier", max_width=20), Column("Tracking"),
    Column("Status", priority=3),
)  # fmt: skip


class OrderScreen(LeanScreen[None]):
    CSS_PATH = "order_screen.tcss"
    AUTO_FOCUS = "#fulfillment-orders"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="order.back"),
        Binding("h", "hold", "Hold", id="order.hold"),
        Binding("u", "release", "Release", id="order.release"),
        Binding("m", "move", "Move", id="order.move"),
        Binding("n", "note", "Note", id="order.note"),
        Binding("t", "tags", "Tags", id="order.tags"),
        Binding("c", "cancel_order", "Cancel order", id="order.cancel"),
        Binding("w", "claim", "Claim", tooltip="work on the highlighted fulfillment order", id="order.claim"),
        # A manager's keys, listed by the help screen: the Footer is full.
        Binding(
            "o", "take_over", "Take over", show=False, tooltip="take someone's claim", id="order.take_over"
        ),
        Binding(
            "a", "reassign", "Reassign", show=False, tooltip="hand the claim to someone", id="order.reassign"
        ),
        Binding("r", "reload", "Reload", id="order.reload"),
        Binding("e", "message", "Email", show=False, tooltip="write to the customer", id="order.message"),
        Binding("l", "reprint_label", "Reprint label", show=False, id="order.reprint_label"),
    ]

    class Loaded(Message):
        def __init__(self, detail: OrderDetail, holders: dict[str, Claim], staff: list[Staff]) -> None:
            super().__init__()
            self.detail, self.holders, self.staff = detail, holders, staff

    class Done(Message):
        """An action was recorded (`text`) or refused (`error`)."""

        def __init__(self, text: str, error: bool = False) -> None:
            super().__init__()
            self.text, self.error = text, error

    def __init__(self, cache: Cache, desk: OrderDesk, clock: Callable[[], datetime], order_id: str) -> None:
        super().__init__()
        self.cache, self.desk, self.clock, self.order_id = cache, desk, clock, order_id
        self.detail: OrderDetail | None = None
        self.shown_from: tuple[object, ...] | None = None  # what the screen shows was drawn from
        self.staff: list[Staff] = []  # who may be handed a claim

    def compose(self) -> ComposeResult:
        yield ShellHeader(self.clock)
        with Horizontal(id="summary"):
            yield Static(id="order-panel", classes="panel")
            yield Static(id="address-panel", classes="panel")
            yield Static(id="payment-panel", classes="panel")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield FittedTable(LINE_COLUMNS, id="lines", cursor_type="none", zebra_stripes=True)
                yield FittedTable(FULFILLMENT_ORDER_COLUMNS, id="fulfillment-orders", cursor_type="row")
                yield FittedTable(SHIPMENT_COLUMNS, id="shipments", cursor_type="none")
            with VerticalScroll(id="timeline-box"):
                yield Static(id="timeline")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Order"
        titles = {
            "#order-panel": "Order",
            "#address-panel": "Ship to",
            "#payment-panel": "Payment and risk",
            "#lines": "Items",
            "#fulfillment-orders": "Fulfillment orders (h hold · u release · m move · w claim)",
            "#shipments": "Shipments",
            "#timeline-box": "Timeline",
        }
        for selector, title in titles.items():
            self.query_one(selector).border_title = title
        self.action_reload()

    # --- reading --------------------------------------------------------------------------------

    def action_reprint_label(self) -> None:
        reprint_label(self, self.order_id)

    def action_reload(self) -> None:
        self.load()

    @on(LiveUpdated)
    def live_updated(self, _message: LiveUpdated) -> None:
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="order-detail")
    def load(self) -> None:
        try:
            with self.cache.reads() as session:
                detail = load_order_detail(session, self.order_id)
                now = self.clock()
                holders = {
                    fo.id: held for fo in detail.fulfillment_orders if (held := holder(session, fo.id, now))
                }
                staff = list(session.exec(select(Staff).where(col(Staff.active)).order_by(col(Staff.name))))
        except (NotFound, SQLAlchemyError) as exc:
            self.post_message(self.Done(str(exc).splitlines()[0], error=True))
            return
        self.post_message(self.Loaded(detail, holders, staff))

    @on(StaffChanged)
    def staff_changed(self, message: StaffChanged) -> None:
        """Another person signed in at this station: what happens here next is theirs."""
        self.desk = OrderDesk(self.desk.station, message.staff)

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        self.detail = detail = message.detail
        self.staff = message.staff
        order, now = detail.order, self.clock()
        # Every change on the floor reads the order again; one that finds it as shown (in the same
        # minute: the ages shown are in minutes) draws and lays out nothing.
        shown = _shown_from(message, now)
        if shown == self.shown_from:
            return
        self.shown_from = shown
        self.title = f"{order.name} · {order.customer_name or order.email or 'no customer'}"
        state = "cancelled" if order.cancelled_at else words(order.fulfillment_status)
        waiting = f" · {detail.waiting} waiting to reach the store" if detail.waiting else ""
        self.sub_title = f"{state} · {words(order.financial_status) or 'payment unknown'}{waiting}"
        panels: dict[str, Table | Text] = {
            "#order-panel": self._order_panel(detail, now),
            "#address-panel": self._address_panel(order.shipping_address),
            "#payment-panel": self._payment_panel(detail),
        }
        for selector, panel in panels.items():
            self.query_one(selector, Static).update(panel)
        # as high as the longest panel (a cancelled order, a second address line), no higher
        self.query_one("#summary").styles.height = 2 + max(
            panel.row_count if isinstance(panel, Table) else len(panel.plain.splitlines())
            for panel in panels.values()
        )
        self._show_lines(detail)
        self._show_fulfillment_orders(detail, message.holders)
        self.query_one("#shipments", FittedTable).set_rows(
            [
                ((when(shipment.at, now), shipment.company, shipment.number, words(shipment.status)), None)
                for shipment in detail.shipments
            ]
        )
        self.query_one("#timeline", Static).update(self._timeline(detail, now))

    def _order_panel(self, detail: OrderDetail, now: datetime) -> Table:
        order = detail.order
        grid = _grid(len("Cancelled"))
        grid.add_row("Placed", when(order.created_at, now))
        if order.cancelled_at is not None:
            grid.add_row(
                "Cancelled", Text(f"{when(order.cancelled_at, now)} {words(order.cancel_reason)}", "bold red")
            )
        grid.add_row("Customer", order.customer_name or "—")
        grid.add_row("Email", order.email or "—")
        grid.add_row("Phone", (order.shipping_address or {}).get("phone") or "—")
        return grid

    def _address_panel(self, address: dict[str, Any] | None) -> Text:
        if not address:
            return Text("no shipping address", style="italic")
        place = " ".join(
            filter(None, (address.get("city"), address.get("provinceCode") or address.get("province")))
        )
        lines = [
            address.get("name"),
            address.get("address1"),
            address.get("address2"),
            " ".join(filter(None, (place, address.get("zip")))),
            address.get("country") or address.get("countryCodeV2"),
        ]
        text = Text("\n".join(line for line in lines if line))
        if not address.get("zip"):
            text.append("\npostcode missing", style="bold red")
        return text

    def _payment_panel(self, detail: OrderDetail) -> Table:
        order = detail.order
        grid = _grid(len("Payment"))
        paid = words(order.financial_status) or "unknown"
        grid.add_row("Payment", Text(paid, "green" if paid == "paid" else "yellow"))
        risk = words(order.risk_level) or "none"
        advice = f" · {words(order.risk_recommendation)}" if order.risk_recommendation else ""
        grid.add_row("Risk", Text(risk + advice, "bold red" if risk == "high" else ""))
        grid.add_row("Tags", ", ".join(order.tags) or "—")
        grid.add_row("Note", order.note or "—")
        return grid

    def _show_lines(self, detail: OrderDetail) -> None:
        rows = []
        for line in detail.lines:
            short = line.stock is not None and line.stock < line.remaining
            stock = "—" if line.stock is None else Text(str(line.stock), "bold red" if short else "")
            cells = (
                line.title,
                line.sku,
                ", ".join(line.bins) or "—",
                stock,
                str(line.quantity),
                str(line.fulfilled),
                Text(str(line.remaining), "bold" if line.remaining else "dim"),
            )
            rows.append((cells, None))
        self.query_one("#lines", FittedTable).set_rows(rows)

    def _show_fulfillment_orders(self, detail: OrderDetail, holders: dict[str, Claim]) -> None:
        table = self.query_one("#fulfillment-orders", FittedTable)
        chosen = self.fulfillment_order()
        rows: list[Row] = []
        for fo in detail.fulfillment_orders:
            holds = "; ".join(
                words(hold.reason)
                + (f" ({hold.notes})" if hold.notes else "")
                + (" · sending" if hold.pending else "")
                for hold in fo.holds
            )
            status = Text(words(fo.status), "bold yellow" if fo.status == "ON_HOLD" else "")
            held = holders.get(fo.id)
            who = (
                f"{held.staff_code} @ {held.station} until {held.lease_until.astimezone():%H:%M}"
                if held
                else "—"
            )
            rows.append(((fo.location, status, str(fo.remaining), who, holds or "—"), fo.id))
        table.set_rows(rows)
        if chosen is not None and chosen.id in {fo.id for fo in detail.fulfillment_orders}:
            table.move_cursor(row=table.get_row_index(chosen.id))

    def _timeline(self, detail: OrderDetail, now: datetime) -> Table:
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(style="dim", no_wrap=True)
        table.add_column(ratio=1)
        colours = {"store": "cyan", "sync": "dim", "floor": "bold", "outbox": "green", "rejected": "bold red"}
        for event in detail.timeline:
            what = Text(event.what, colours.get(event.source, ""))
            if event.who:
                what.append(f"\n{event.who}", "dim italic")
            table.add_row(when(event.at, now).split(" (")[0], what)
        return table

    def fulfillment_order(self) -> FulfillmentOrderView | None:
        """The highlighted fulfillment order (hold, release and move act on it)."""
        if self.detail is None or not self.detail.fulfillment_orders:
            return None
        table = self.query_one("#fulfillment-orders", DataTable)
        index = min(max(table.cursor_row, 0), len(self.detail.fulfillment_orders) - 1)
        return self.detail.fulfillment_orders[index]

    # --- acting ---------------------------------------------------------------------------------

    def permitted(self, permission: Permission, then: Callable[[OrderDesk], object]) -> None:
        permitted(self, self.desk, self.staff, permission, then)

    def action_hold(self) -> None:
        fo = self.fulfillment_order()
        if fo is None:
            return

        def ask(desk: OrderDesk) -> None:
            def chosen(choice: Choice | None) -> None:
                if choice is not None:
                    self.act(lambda s: desk.hold(s, fo.id, choice.value, choice.notes), "hold")

            reasons = [(words(reason), reason.value) for reason in HOLD_REASONS]
            notes = "Notes for the team (optional)"
            self.app.push_screen(ChoiceModal(f"Hold at {fo.location}: why?", reasons, notes=notes), chosen)

        self.permitted(Permission.HOLD, ask)

    def action_release(self) -> None:
        fo = self.fulfillment_order()
        if fo is not None:
            permission = release_permission(hold.reason for hold in fo.holds)
            self.permitted(permission, lambda desk: self.act(lambda s: desk.release(s, fo.id), "release"))

    def action_move(self) -> None:
        fo = self.fulfillment_order()
        if fo is None or self.detail is None:
            return
        places = [(name, ident) for ident, name in self.detail.locations.items() if ident != fo.location_id]
        if not places:
            self.notify("there is no other active location", severity="warning")
            return

        def ask(desk: OrderDesk) -> None:
            def chosen(choice: Choice | None) -> None:
                if choice is not None:
                    self.act(lambda s: desk.move(s, fo.id, choice.value), "move")

            self.app.push_screen(ChoiceModal(f"Move from {fo.location} to", places), chosen)

        self.permitted(Permission.MOVE, ask)

    def action_note(self) -> None:
        detail = self.detail
        if detail is None:
            return

        def ask(desk: OrderDesk) -> None:
            def chosen(note: str | None) -> None:
                if note is not None:
                    self.act(lambda s: desk.note(s, self.order_id, note.strip()), "note")

            self.app.push_screen(
                TextModal("Order note", detail.order.note or "", "A note for the order"), chosen
            )

        self.permitted(Permission.NOTE, ask)

    def action_message(self) -> None:
        write_message(self, self.order_id, then=self.load)

    def action_tags(self) -> None:
        if self.detail is None:
            return

        def ask(desk: OrderDesk) -> None:
            def chosen(tags: str | None) -> None:
                if tags is not None:
                    self.act(lambda s: desk.tag(s, self.order_id, tags), "tags")

            hint = "Comma-separated · Enter to add · Esc to cancel"
            self.app.push_screen(TextModal("Add tags", "", "rush, gift", hint=hint), chosen)

        self.permitted(Permission.TAG, ask)

    def action_cancel_order(self) -> None:
        detail = self.detail
        if detail is None:
            return

        def ask(desk: OrderDesk) -> None:
            def chosen(choice: CancelChoice | None) -> None:
                if choice is not None:
                    self.act(
                        lambda s: desk.cancel(s, self.order_id, choice.reason, choice.refund, choice.restock),
                        "cancellation",
                    )

            self.app.push_screen(CancelModal(detail.order.name), chosen)

        self.permitted(Permission.CANCEL, ask)

    def action_claim(self) -> None:
        self._claim(take_over=False)

    def action_take_over(self) -> None:
        if allowed(self.desk.staff, Permission.TAKE_OVER):
            self._claim(take_over=True)
        else:
            self.notify(refusal(self.desk.staff, Permission.TAKE_OVER), title="Not allowed", severity="error")

    def _claim(self, *, take_over: bool) -> None:
        fo, staff = self.fulfillment_order(), self.desk.staff
        if fo is None:
            return
        if staff is None:
            self.notify("Sign in first: work is claimed in a person's name", severity="warning")
            return
        station, lease = self.desk.station, floor_app(self.app).lease
        self.claim_act(
            lambda s: claim(
                s,
                fo.id,
                staff_code=staff.code,
                station=station,
                now=self.clock(),
                lease=lease,
                take_over=take_over,
            ),
            "taken over" if take_over else "claimed",
        )

    def action_reassign(self) -> None:
        fo = self.fulfillment_order()
        if fo is None:
            return
        if not allowed(self.desk.staff, Permission.REASSIGN):
            self.notify(refusal(self.desk.staff, Permission.REASSIGN), title="Not allowed", severity="error")
            return
        lease = floor_app(self.app).lease

        def chosen(choice: Choice | None) -> None:
            if choice is not None:
                self.claim_act(
                    lambda s: reassign(
                        s, fo.id, to_staff=choice.value, by=self.desk.actor, now=self.clock(), lease=lease
                    ),
                    "reassigned",
                )

        people = [(f"{person.name} ({person.role.value})", person.code) for person in self.staff]
        self.app.push_screen(ChoiceModal(f"Hand {fo.location}'s work to", people), chosen)

    @work(thread=True, exit_on_error=False, group="order-actions")
    def claim_act(self, record: ClaimAct, what: str) -> None:
        """Claim, take over or reassign in one transaction (refusals change nothing); show the order again."""
        try:
            with self.cache.sessions() as session:
                held = record(session)
                session.commit()
        except (ValueError, SQLAlchemyError) as exc:  # refused (ClaimRefused, NotPermitted), or not recorded
            self.post_message(self.Done(str(exc).splitlines()[0], error=True))
            return
        until = held.lease_until.astimezone()
        self.post_message(self.Done(f"{what}: {held.staff_code} at {held.station} until {until:%H:%M}"))
        self.app.call_from_thread(self.load)

    @work(thread=True, exit_on_error=False, group="order-actions")
    def act(self, record: Act, what: str) -> None:
        """Record the action in one transaction (role checked again inside); then show the order again."""
        try:
            with self.cache.sessions() as session:
                action = record(session)
                session.commit()
        except (ActionRefused, SQLAlchemyError) as exc:  # refused, or not recorded at all
            self.post_message(self.Done(str(exc).splitlines()[0], error=True))
            return
        self.post_message(self.Done(f"{what} recorded; action {action.id} waits for the store"))
        self.app.call_from_thread(self.load)

    @on(Done)
    def done(self, message: Done) -> None:
        if message.error:
            self.notify(message.text, title="Refused", severity="error")
        else:
            self.notify(message.text)


def _shown_from(loaded: OrderScreen.Loaded, now: datetime) -> tuple[object, ...]:
    """What the screen draws from, as values: the whole detail (the order's columns for its row)."""
    detail = loaded.detail
    return (
        vars(detail) | {"order": detail.order.model_dump()},
        {fo: (held.staff_code, held.station, held.lease_until) for fo, held in loaded.holders.items()},
        now.replace(second=0, microsecond=0),
    )


def _grid(label_width: int) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True, min_width=label_width)  # labels are never cut
    grid.add_column(overflow="ellipsis", no_wrap=True)
    return grid
