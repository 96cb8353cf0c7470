"""The dock: the inbound queue (shipments on their way here) and a shipment's receipt, by scan.

With no receipt open, a scan of a shipment's name, its transfer's or its tracking number (or Enter on
a row) opens its receipt. Then: scan a bin, then each unit (or `n`: a SKU and how many); `x` rejects
units with a reason; `f` finishes (the store hears of it once), `p` prints the tally sheet, Escape
puts the receipt down (it stays open, at any station). Units beyond what a line expects ask for a
manager's badge. Steps run in the order they came, off the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from oms_tui.actions.permissions import ActionRefused, Permission, allowed
from oms_tui.cache.database import Cache
from oms_tui.cache.models import InventoryShipment, Staff
from oms_tui.config import Settings
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.inbound.receiving import (
    InboundRow,
    OverReceipt,
    Receipt,
    ReceiveRefused,
    finish,
    inbound_queue,
    is_bin,
    item_sku,
    open_receipt,
    read_receipt,
    receive,
)
from oms_tui.plain_text import visible
from oms_tui.screens.floor_app import floor_app
from oms_tui.screens.messages import Scanned
from oms_tui.screens.step_queue import StepQueue
from oms_tui.screens.text_modal import TextModal
from oms_tui.widgets.blocking_error import block

Step = Callable[[Session], "Stepped"]


@dataclass(frozen=True)
class Stepped:
    receipt: Receipt | None = None
    bin_code: str | None = None  # the bin scanned: where units go next
    said: str = ""
    problem: tuple[str, str, str] | None = None  # a blocking error: title, message, hint
    over: OverReceipt | None = None  # a manager must accept these units
    queue: list[InboundRow] | None = None


class InboundScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "leave", "Back", id="inbound.back"),
        Binding("n", "typed", "SKU + qty", id="inbound.typed"),
        Binding("x", "reject", "Reject", id="inbound.reject"),
        Binding("f", "finish", "Finish", id="inbound.finish"),
        Binding("p", "tally", "Tally sheet", id="inbound.tally"),
    ]
    DEFAULT_CSS = """
    InboundScreen #status { height: auto; padding: 0 1; border: round $primary 60%; }
    InboundScreen DataTable { height: 1fr; border: round $primary 60%; }
    """

    def __init__(self, cache: Cache, settings: Settings) -> None:
        super().__init__()
        self.cache, self.settings = cache, settings
        self.receipt: Receipt | None = None
        self.bin_code: str | None = None
        self.steps: StepQueue[Step] = StepQueue(self, self.run_one, "inbound-steps")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="status")
            yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="lines", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Inbound"
        self.query_one("#queue", DataTable).add_columns(
            "Shipment", "Transfer", "From", "To", "Units", "Status", "Who"
        )
        self.query_one("#lines", DataTable).add_columns(
            "SKU", "Item", "Expected", "Accepted", "Rejected", "Bins", ""
        )
        self.query_one("#queue").border_title = "Inbound queue"
        self.query_one("#lines").border_title = "Receipt"
        self.steps.add(lambda session: Stepped(queue=inbound_queue(session)))

    @property
    def actor(self) -> Actor:
        staff = floor_app(self.app).desk.staff
        return Actor(self.settings.station, staff.code if staff else None)

    # --- input ---------------------------------------------------------------------------------------
    @on(Scanned)
    def scanned(self, event: Scanned) -> None:
        if floor_app(self.app).desk.staff is None:
            return  # the app signs a badge in
        event.stop()
        code, actor = event.code, self.actor
        self.steps.add(lambda session: self._scan(session, actor, code))

    @on(DataTable.RowSelected, "#queue")
    def _picked(self, event: DataTable.RowSelected) -> None:
        picked, actor = event.row_key.value, self.actor
        if picked:
            self.steps.add(lambda session: Stepped(open_receipt(session, actor, picked)))

    def _scan(self, session: Session, actor: Actor, code: str) -> Stepped:
        if self.receipt is None:
            return Stepped(open_receipt(session, actor, code))
        receipt = read_receipt(session, self.receipt.id)
        if item_sku(session, receipt, code) is not None:
            return self._count(session, actor, code, 1)
        if is_bin(session, receipt.location_id, code):
            return Stepped(receipt, bin_code=code.strip().upper(), said=f"into bin {code.strip().upper()}")
        problem = f"{code!r} is neither an item of {receipt.shipment_name} nor a bin here"
        return Stepped(
            receipt, problem=("Not on this shipment", problem, "Set it aside; scan a bin or an item")
        )

    def _count(
        self, session: Session, actor: Actor, code: str, quantity: int, reason: str | None = None
    ) -> Stepped:
        assert self.receipt is not None
        try:
            receipt = receive(
                session, actor, self.receipt.id, code, quantity, bin_code=self.bin_code, reject_reason=reason
            )
        except OverReceipt as over:
            return Stepped(self.receipt, over=over)
        return Stepped(receipt)

    def action_typed(self) -> None:
        if self.receipt is None:
            return
        actor = self.actor

        def typed(text: str | None) -> None:
            sku, _, number = (text or "").strip().rpartition(" ")
            if sku and number.isdigit():
                self.steps.add(lambda session: self._count(session, actor, sku, int(number)))

        hint = "The SKU, a space, how many · Enter · Esc to cancel"
        self.app.push_screen(TextModal("Units of a SKU", placeholder="TEE-BLK-M 12", hint=hint), typed)

    def action_reject(self) -> None:
        if self.receipt is None:
            return
        actor = self.actor

        def typed(text: str | None) -> None:
            words = (text or "").strip().split(maxsplit=2)
            if len(words) == 3 and words[1].isdigit():
                sku, number, reason = words
                self.steps.add(lambda session: self._count(session, actor, sku, int(number), reason))

        hint = "SKU, how many, why (damaged, wrong item, expired, not ordered, other) · Enter"
        self.app.push_screen(TextModal("Reject units", placeholder="MUG-1 2 damaged", hint=hint), typed)

    def action_finish(self) -> None:
        if self.receipt is None:
            return
        receipt_id, actor = self.receipt.id, self.actor

        def finished(session: Session) -> Stepped:
            action = finish(session, actor, receipt_id)
            said = f"{self.receipt.shipment_name if self.receipt else ''} received: action {action.id} queued"
            return Stepped(None, said=said, queue=inbound_queue(session))

        self.steps.add(finished)

    def action_tally(self) -> None:
        shipment_id = self.receipt.shipment_id if self.receipt else None
        if shipment_id is None:
            table = self.query_one("#queue", DataTable)
            if not table.row_count:
                return
            shipment_id = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        self.run_worker(
            lambda: self._print(shipment_id), thread=True, group="inbound-print", exit_on_error=False
        )

    def _print(self, shipment_id: str) -> None:
        from oms_tui.printing.output import PrintFailed, print_documents
        from oms_tui.printing.tally_pdf import tally_document

        with self.cache.reads() as session:
            document = tally_document(session, session.get_one(InventoryShipment, shipment_id), self.settings)
        try:
            said = print_documents(self.cache, self.settings, document)
        except PrintFailed as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Not printed", severity="error")
            return
        self.app.call_from_thread(self.notify, said, title="Tally sheet")

    def action_leave(self) -> None:
        if self.receipt is not None:  # put down: it stays open for anyone to take up
            self.receipt, self.bin_code = None, None
            self.steps.add(lambda session: Stepped(queue=inbound_queue(session)))
        else:
            self.dismiss(None)

    # --- steps ---------------------------------------------------------------------------------------
    def run_one(self, step: Step) -> None:
        try:
            with self.cache.sessions() as session:
                result = step(session)
                session.commit()
        except (ReceiveRefused, ActionRefused) as exc:
            result = Stepped(self.receipt, problem=("Not received", str(exc), "Escape, then carry on"))
        self.app.call_from_thread(self.stepped, result)

    def stepped(self, result: Stepped) -> None:
        if result.receipt is None or self.receipt is None or result.receipt.id != self.receipt.id:
            self.bin_code = None  # another receipt (or none): its bin is not known yet
        self.receipt = result.receipt
        self.bin_code = result.bin_code or self.bin_code
        if result.queue is not None:
            self.show_queue(result.queue)
        self.show_receipt()
        if result.said:
            self.notify(result.said)
        if result.problem:
            block(self.app, *result.problem)
        if result.over is not None:
            self.ask_approval(result.over)

    def ask_approval(self, over: OverReceipt) -> None:
        """A manager's badge accepts these units beyond what the line expects, this once."""
        actor, bin_code = self.actor, self.bin_code

        def badge(code: str | None) -> None:
            if not code or not code.strip():
                return
            with self.cache.reads() as session:
                person = session.get(Staff, code.strip().upper())
            if person is None or not allowed(person, Permission.ACCEPT_OVER_RECEIPT):
                self.notify(f"{person.name if person else 'that badge'} may not approve", severity="error")
                return
            approved = Actor(actor.station, actor.staff_code, person.code)
            self.bin_code = bin_code
            self.steps.add(lambda session: self._count(session, approved, over.sku, over.quantity))

        self.notify(str(over), title="Over-receipt", severity="warning")
        modal = TextModal(
            f"Approve: {Permission.ACCEPT_OVER_RECEIPT}",
            placeholder="a manager scans their badge",
            hint="A manager's badge accepts these units · Esc to cancel",
            secret=True,
        )
        self.app.push_screen(modal, badge)

    # --- drawing -------------------------------------------------------------------------------------
    def show_queue(self, rows: list[InboundRow]) -> None:
        table = self.query_one("#queue", DataTable)
        table.clear()
        for row in rows:
            table.add_row(
                visible(row.name),
                visible(row.transfer_name),
                visible(row.origin),
                visible(row.destination),
                str(row.expected),
                row.status.lower().replace("_", " "),
                row.receiving or "",
                key=row.shipment_id,
            )

    def show_receipt(self) -> None:
        receipt, table = self.receipt, self.query_one("#lines", DataTable)
        table.clear()
        self.query_one("#queue").display = receipt is None
        table.display = receipt is not None
        status = self.query_one("#status", Static)
        if receipt is None:
            status.update(Text("Scan a shipment (its name, transfer or tracking number), or Enter on a row"))
            return
        for line in receipt.lines:
            done = Text("✓", style="green") if not line.left and not line.over else Text("")
            if line.over:
                done = Text(f"+{line.over}", style="bold yellow")
            table.add_row(
                visible(line.sku or "—"),
                visible(line.title),
                str(line.expected),
                Text(str(line.accepted), style="bold"),
                f"{line.rejected} {', '.join(line.reasons)}".strip() if line.rejected else "0",
                ", ".join(f"{units} in {code}" for code, units in line.bins),
                done,
                key=line.line_id,
            )
        where = f"into bin {self.bin_code}" if self.bin_code else "scan a bin first"
        text = Text(f"{receipt.shipment_name}  ", style="bold")
        text.append(f"{receipt.transfer_name} from {visible(receipt.origin)}: {receipt.counted} of ")
        text.append(f"{receipt.expected} counted · {where}\n")
        text.append("n SKU + qty · x reject · f finish · p tally sheet · Esc put down", style="dim")
        status.update(text)


def open_inbound(app: Any) -> None:
    """The dock's screen, from the command palette."""
    runtime = app.runtime
    app.push_screen(InboundScreen(runtime.cache, runtime.settings))
