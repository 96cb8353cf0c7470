"""The pick screen's open list on paper or in a file: `p` prints it, `e` exports it as text."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from textual import work

from oms_tui.cache.database import Cache
from oms_tui.config import Settings
from oms_tui.floor.picking.pick_export import export_text
from oms_tui.floor.picking.pick_sheet import PickSheet, read_sheet
from oms_tui.screens.lean_screen import LeanScreen
from oms_tui.widgets.blocking_error import block


class PickPapers(LeanScreen[None]):
    """The base of `PickScreen`: what it shows (`sheet`) and where it reads (`cache`, `settings`)."""

    cache: Cache
    settings: Settings
    sheet: PickSheet | None

    def action_export(self) -> None:
        if self.sheet is None:
            self.notify("No open pick list to export", severity="warning")
            return
        self.export(self.sheet.pick_list_id)

    @work(thread=True, exit_on_error=False, group="pick-export")
    def export(self, pick_list_id: int) -> None:
        path = Path.cwd() / f"pick-list-{pick_list_id}.txt"
        try:
            with self.cache.reads() as session:
                text = export_text(read_sheet(session, pick_list_id))
            path.write_text(text, encoding="utf-8")
        except (OSError, ValueError, SQLAlchemyError) as exc:
            self.app.call_from_thread(block, self.app, "Export failed", first_line(exc))
            return
        self.app.call_from_thread(self.notify, f"Pick list {pick_list_id} written to {path}")

    def action_print(self) -> None:
        """The open list's pick list as PDF, to the station's printer (or its print folder)."""
        if self.sheet is None:
            self.notify("No open pick list to print", severity="warning")
            return
        totes = {tote.tote: tote.fulfillment_order_id for line in self.sheet.lines for tote in line.live}
        self.print_list([totes[name] for name in sorted(totes, key=lambda name: int(name[1:] or 0))])

    @work(thread=True, exit_on_error=False, group="pick-print")
    def print_list(self, fulfillment_order_ids: list[str]) -> None:
        """Off the UI thread: `lp` may take its time. A failing printer keeps the PDF and says so."""
        from oms_tui.printing.documents import pick_list_of_batch  # ReportLab loads at the first print
        from oms_tui.printing.output import PrintFailed, print_documents

        try:
            with self.cache.reads() as session:
                document = pick_list_of_batch(session, fulfillment_order_ids, self.settings)
            said = print_documents(self.cache, self.settings, document)
        except (PrintFailed, ValueError, SQLAlchemyError) as exc:
            self.app.call_from_thread(self.notify, first_line(exc), title="Not printed", severity="error")
            return
        self.app.call_from_thread(self.notify, said, title="Pick list printed")


def first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]
