"""Pack and ship by scan: scan the order (or its slip), scan each item, scan the label's tracking
number, press Ship. Nothing else is needed; the other keys are for the exceptions (a carrier the
number does not tell, a customer not to notify, a partial shipment, a pack given up).

Every step runs off the UI thread, one after another in the order they came (scans may arrive back
to back); a refused step shows a blocking error that only a deliberate key closes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from oms_tui.cache.change_signal import CLAIMS, SYNC
from oms_tui.cache.database import Cache
from oms_tui.cache.models import Order
from oms_tui.config import Settings
from oms_tui.floor.actions.order_desk import OrderDesk
from oms_tui.floor.packing import carriers, packing
from oms_tui.floor.packing.pack_guards import moved_away
from oms_tui.floor.packing.pack_reading import read_pack
from oms_tui.floor.packing.pack_state import Pack, PackLine, PackProblem, interrupted
from oms_tui.floor.queues import claims
from oms_tui.runtime import one_line
from oms_tui.screens.choice_modal import Choice, ChoiceModal
from oms_tui.screens.messages import LiveUpdated, Scanned
from oms_tui.screens.pack_label import LabelScreen
from oms_tui.screens.pack_parcel import Offered
from oms_tui.screens.registry import ScreenContext
from oms_tui.screens.step_queue import StepQueue
from oms_tui.screens.text_modal import TextModal
from oms_tui.widgets.blocking_error import block
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.same_content import same_rows, update
from oms_tui.widgets.shell_header import ShellHeader

if TYPE_CHECKING:
    from oms_tui.app import OmsApp

Step = Callable[[Session], Pack | None]  # one packing step in its own transaction (None: no pack)


class PackScreen(LabelScreen):
    AUTO_FOCUS = "#lines"
    # A cancel or hold (by sync or a station: the order's rows) or a claim taken over stops a pack;
    # other packs, picks and shipments leave the one open here alone.
    LIVE_KINDS = frozenset({SYNC, CLAIMS})
    BINDINGS = [
        Binding("f10", "ship", "Ship", priority=True, id="pack.ship"),
        Binding("c", "carrier", "Carrier", id="pack.carrier"),
        Binding("n", "toggle_notify", "Notify on/off", id="pack.notify"),
        Binding("p", "partial", "Ship part", id="pack.partial"),
        Binding("x", "abandon", "Abandon", id="pack.abandon"),
        Binding("s", "print_slip", "Print slip", id="pack.print_slip"),
        Binding("t", "type", "Type a code", id="pack.type"),
        Binding("w", "weight", "Weight", tooltip="type the parcel's weight", id="pack.weight"),
        Binding("b", "box", "Box", tooltip="choose the box (or scan its shelf barcode)", id="pack.box"),
        Binding("l", "label", "Label", tooltip="buy the label and print it; again: reprint", id="pack.label"),
        Binding("r", "rate", "Rate", tooltip="choose another rate", id="pack.rate"),
        Binding(
            "h",
            "address_hold",
            "Address hold",
            tooltip="hold the order: undeliverable",
            id="pack.address_hold",
        ),
        Binding("escape", "stop_typing", "Stop typing", show=False, id="pack.stop_typing"),
    ]
    DEFAULT_CSS = """
    PackScreen #order { height: auto; padding: 0 1; border: round $primary 60%; }
    PackScreen #lines { height: 1fr; border: round $primary 60%; }
    PackScreen #lines:focus { border: round $accent; }
    PackScreen #shipping { height: auto; padding: 0 1; border: round $primary 60%; }
    PackScreen #typed { display: none; }
    PackScreen #typed.-shown { display: block; }
    """

    def __init__(self, cache: Cache, settings: Settings, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.cache, self.settings, self.clock = cache, settings, clock
        # how long the packer's claim on the open order lasts unless a step renews it
        self.lease = timedelta(minutes=settings.claim_lease_minutes)
        self.pack: Pack | None = None
        self.steps = StepQueue[Step](self, self.run_one, "pack-steps")
        # the looks at the open pack after changes elsewhere, queued and not started yet: "claims" (a
        # take-over: the pack's rows) or "whole" (also a cancel, a hold, fewer units wanted)
        self.looks_waiting: set[str] = set()
        self.rows_shown: list[tuple[str | Text, ...]] = []

    def compose(self) -> ComposeResult:
        yield ShellHeader(self.clock)
        yield Static(id="order")
        yield DataTable(id="lines", cursor_type="none", zebra_stripes=True)
        yield Static(id="shipping")
        yield Input(placeholder="Order number, SKU, barcode or tracking number; Enter", id="typed")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Pack"
        self.query_one("#order").border_title = "Order"
        self.query_one("#lines").border_title = "Items"
        self.query_one("#shipping").border_title = "Shipping"
        lines = self.query_one("#lines", DataTable)
        lines.add_columns("SKU", "Item", "Verified", "Needed")
        lines.add_column("", width=1)  # ✓ once a line is done (a fixed width: never sized before it shows)
        self.show()
        self.start_scale()

    def on_unmount(self) -> None:
        self.stop_scale()

    def on_screen_resume(self) -> None:
        self.show()  # someone may have signed in or out meanwhile

    @property
    def desk(self) -> OrderDesk:
        """Whoever is signed in now (it changes when staff switch at the station)."""
        return cast("OmsApp", self.app).desk

    # --- input: scans, typed codes, keys -----------------------------------------------------------

    @on(Scanned)
    def scanned(self, event: Scanned) -> None:
        if self.desk.staff is None:
            return  # not ours: the app signs in a badge
        event.stop()
        self.take(event.code)

    @on(Input.Submitted, "#typed")
    def typed(self, event: Input.Submitted) -> None:
        event.input.value = ""
        if event.value.strip():
            self.take(event.value.strip())

    def take(self, code: str) -> None:
        if not self.box_scanned(code):
            self.run_step(lambda session: self._scan(session, code))

    def _scan(self, session: Session, code: str) -> Pack:
        actor, now = self.desk.actor, self.clock()
        if self.pack is None or self.pack.state != "open":
            return packing.open_pack(session, actor, code, now=now, lease=self.lease)
        return packing.scan(session, actor, self.pack.session_ids, code, now=now, lease=self.lease)

    def action_type(self) -> None:
        typed = self.query_one("#typed", Input)
        typed.add_class("-shown")
        typed.focus()

    def action_stop_typing(self) -> None:
        self.query_one("#typed", Input).remove_class("-shown")
        self.query_one("#lines").focus()

    def action_ship(self) -> None:
        self.on_pack(lambda ids, session: packing.confirm(session, self.desk.actor, ids))

    def action_toggle_notify(self) -> None:
        if self.pack is not None:
            notify = not self.pack.notify_customer
            self.on_pack(lambda ids, session: packing.set_notify(session, self.desk.actor, ids, notify))

    def action_carrier(self) -> None:
        if self.pack is None or self.pack.state != "open":
            return

        def chosen(choice: Choice | None) -> None:
            if choice is not None:
                name = choice.value
                self.on_pack(lambda ids, session: packing.choose_carrier(session, self.desk.actor, ids, name))

        options = [(carrier.name, carrier.name) for carrier in carriers.CHOICES]
        self.app.push_screen(ChoiceModal("Carrier", options), chosen)

    def action_partial(self) -> None:
        if self.pack is None or self.pack.state != "open":
            return

        def given(reason: str | None) -> None:
            if reason is not None:
                self.on_pack(lambda ids, session: packing.ship_part(session, self.desk.actor, ids, reason))

        hint = "Ships what was verified; the rest stays open. Enter to keep · Esc to cancel"
        self.app.push_screen(TextModal("Why only part?", placeholder="reason", hint=hint), given)

    def action_abandon(self) -> None:
        self.on_pack(lambda ids, session: packing.abandon(session, self.desk.actor, ids, "abandoned"))

    def action_print_slip(self) -> None:
        """The open order's packing slip, to the station's printer (or its print folder)."""
        if self.pack is None:
            self.notify("Scan an order first: its slip is printed", severity="warning")
            return
        self.print_slip(self.pack.order_id)

    @work(thread=True, exit_on_error=False, group="pack-print")
    def print_slip(self, order_id: str) -> None:
        """Off the UI thread: `lp` may take its time. A failing printer keeps the PDF and says so."""
        from oms_tui.printing.documents import packing_slips  # ReportLab loads at the first print
        from oms_tui.printing.output import PrintFailed, print_documents

        try:
            with self.cache.reads() as session:
                order = session.get(Order, order_id)
                if order is None:
                    raise PrintFailed("the order is no longer in the cache")
                document = packing_slips(session, [order], self.settings)
            said = print_documents(self.cache, self.settings, document)
        except (PrintFailed, SQLAlchemyError) as exc:
            said = str(exc) if isinstance(exc, PrintFailed) else one_line(exc)  # PrintFailed: one line
            self.app.call_from_thread(self.notify, said, title="Not printed", severity="error")
            return
        self.app.call_from_thread(self.notify, said, title="Packing slip printed")

    def on_pack(self, step: Callable[[tuple[int, ...], Session], Pack]) -> None:
        """A step on the open pack, as it stands when the step runs (after the scans before it)."""

        def on_current(session: Session) -> Pack:
            if self.pack is None or self.pack.state != "open":
                raise PackProblem("No order open", "Scan an order or its packing slip first")
            return step(self.pack.session_ids, session)

        self.run_step(on_current)

    @on(LiveUpdated)
    def live_updated(self, message: LiveUpdated) -> None:
        """Sync or another station may have cancelled or held the order being packed: look now, not
        at the next scan. The look waits behind the scans before it, and by then the pack may be
        shipped or gone: then there is nothing to look at (and nothing to refuse). One look of each
        kind waits at a time: on a busy floor changes come faster than looks, and one that has not
        started yet will see them all. Claims alone change with every batch and pack on the floor,
        and of this pack only who packs it: that look reads the pack's rows, not the whole pack."""
        if self.pack is None or self.pack.state != "open":
            return
        look = "whole" if SYNC in message.update.kinds else "claims"
        if look in self.looks_waiting or "whole" in self.looks_waiting:
            return
        self.looks_waiting.add(look)  # taken off in the steps' thread as the look starts: no lock
        self.run_step(self.look_at_whole if look == "whole" else self.look_at_claims)

    def look_at_whole(self, session: Session) -> Pack | None:
        self.looks_waiting.discard("whole")
        if self.pack is None or self.pack.state != "open":
            return self.pack
        return packing.check(session, self.desk.actor, self.pack.session_ids)

    def look_at_claims(self, session: Session) -> Pack | None:
        self.looks_waiting.discard("claims")
        if self.pack is None or self.pack.state != "open":
            return self.pack
        if (moved := moved_away(session, self.desk.actor, self.pack.session_ids)) is not None:
            raise moved
        return self.pack

    # --- steps, one at a time off the UI thread -------------------------------------------------

    def run_step(self, step: Step) -> None:
        if self.desk.staff is None:
            block(self.app, "Sign in first", "Nobody is signed in: scan your badge")
            return
        self.steps.add(step)

    def run_one(self, step: Step) -> None:
        """In the steps' worker thread: the step in its own transaction, then shown."""
        before = self.pack
        pack, problem, offer = None, None, None
        try:
            with self.cache.sessions() as session:
                try:
                    pack = step(session)
                except PackProblem as refused:
                    problem = refused
                    if before is not None:
                        pack = read_pack(session, before.session_ids)
                self.renew(session)
                offer = self.offered_for(session, pack)
                session.commit()  # a refusal's audit event, an interrupted pack's put-back
        except (SQLAlchemyError, PackProblem) as exc:
            problem = PackProblem("Could not save", one_line(exc), "Nothing was lost: try the step again")
        self.app.call_from_thread(self.stepped, before, pack, problem, offer)

    def renew(self, session: Session) -> None:
        """Each step renews the packer's claims here: a pack in progress keeps its order."""
        actor = self.desk.actor
        if actor.staff_code is not None:
            claims.heartbeat(
                session,
                staff_code=actor.staff_code,
                station=actor.station,
                now=self.clock(),
                lease=self.lease,
            )

    def stepped(
        self,
        before: Pack | None,
        pack: Pack | None,
        problem: PackProblem | None,
        offer: Offered | None = None,
    ) -> None:
        if pack is not None:
            self.pack = pack
            self.parcel_for(pack, offer)
        self.show()
        if problem is not None:
            block(self.app, problem.title, problem.message, problem.hint)
        elif (
            pack is None or before is None or before.state != "open" or pack.session_ids != before.session_ids
        ):
            return  # a pack opened, or nothing that ended one
        elif pack.state == "abandoned" and pack.blocked:
            stopped = interrupted(pack)
            block(self.app, stopped.title, stopped.message, "Then scan the next order")
        elif pack.state == "abandoned":
            put_back = "; ".join(str(item) for item in pack.put_back) or "nothing to put back"
            self.notify(put_back, title=f"{pack.order_name} abandoned", severity="warning")
        elif pack.state == "confirmed":
            self.notify(
                f"{pack.order_name} shipped with {pack.carrier} {pack.tracking_number}", title="Shipped"
            )

    # --- drawing ----------------------------------------------------------------------------------

    def show(self) -> None:
        pack = self.pack
        update(self.query_one("#order", Static), self._order_panel(pack))
        rows = _rows(pack.lines if pack else ())
        if not same_rows(self.rows_shown, rows):  # a look that found nothing new draws nothing
            self.rows_shown = rows
            table = self.query_one("#lines", DataTable)
            table.clear()
            for row in rows:
                table.add_row(*row)
        self.show_shipping()
        self.sub_title = pack.order_name if pack else ""

    def show_shipping(self) -> None:
        update(self.query_one("#shipping", Static), self._shipping_panel(self.pack))

    def _order_panel(self, pack: Pack | None) -> Text:
        if self.desk.staff is None:
            return Text("Nobody is signed in: scan your badge to pack", style="bold yellow")
        if pack is None:
            return Text("Scan an order or its packing slip", style="bold")
        text = Text(f"{pack.order_name}  ", style="bold")
        text.append(pack.customer)
        if pack.partial_reason:
            text.append(f"\nShipping part: {pack.partial_reason}", style="yellow")
        style = "bold green" if pack.state == "confirmed" else "bold red" if pack.state != "open" else "bold"
        text.append(f"\n{pack.next_step}", style=style)
        return text

    def _shipping_panel(self, pack: Pack | None) -> Text:
        text = Text()
        rows: list[tuple[str, Text]] = [("Tracking", Text("—"))]
        if pack is not None and pack.tracking_number:
            carrier = Text(pack.carrier) if pack.carrier else Text("not recognised: c to choose", "yellow")
            rows = [("Tracking", Text(pack.tracking_number, "bold")), ("Carrier", carrier)]
        if pack is not None:
            rows.append(("Notify customer", Text("yes" if pack.notify_customer else "no")))
        rows += self.parcel_panel() + self.label_panel()
        for n, (label, value) in enumerate(rows):
            text.append(f"{'' if n == 0 else chr(10)}{label:<17}", style="dim")
            text.append_text(value)
        return text


def _rows(lines: Sequence[PackLine]) -> list[tuple[str | Text, ...]]:
    """The lines table's rows: each line, and a bundle's row above its parts (packed as one)."""
    rows: list[tuple[str | Text, ...]] = []
    bundle = None
    for line in lines:
        done = line.verified >= line.needed
        if line.bundle and line.bundle != bundle:
            whole = all(part.verified >= part.needed for part in lines if part.bundle == line.bundle)
            mark = Text("✓", style="green") if whole else ""
            rows.append(("", Text(f"{line.bundle} (bundle)", style="bold"), "", "", mark))
        bundle = line.bundle
        rows.append(
            (
                line.sku or "—",
                f"  · {line.title}" if line.bundle else line.title,
                Text(str(line.verified), style="bold green" if done else "bold"),
                str(line.needed),
                Text("✓", style="green") if done else "",
            )
        )
    return rows


def make_screen(context: ScreenContext) -> PackScreen:
    """The pack station, made when first shown (`catalog.py` gives its key and title)."""
    return PackScreen(context.cache, context.settings, context.clock)
