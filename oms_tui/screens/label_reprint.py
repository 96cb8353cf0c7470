"""Print an order's shipping label again, from any screen that shows the order (the order screen's
`l`): the label service sends the file again, the label printer gets it (or the print folder keeps
it, with an exception, when the printer fails)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy.exc import SQLAlchemyError
from textual.screen import Screen

from oms_tui.runtime import one_line

if TYPE_CHECKING:
    from oms_tui.app import OmsApp
    from oms_tui.cache.database import Cache
    from oms_tui.config import Settings
    from oms_tui.floor.labels.desk import LabelDesk, LabelView


async def print_bought(desk: LabelDesk, cache: Cache, settings: Settings, label: LabelView) -> str:
    """The bought label's file, fetched from the label service, to the label printer; what happened,
    in a line (raises PrintFailed, the label kept in the print folder, when the printer fails)."""
    from oms_tui.printing.label_output import print_label

    data = await desk.label_file(label)
    name = f"label-{label.order_name.lstrip('#')}-{label.tracking_number}"
    return print_label(cache, settings, name, data, label.label_format.value, label.order_id)


def reprint_label(screen: Screen[Any], order_id: str) -> None:
    """The order's live (or last) bought label to the label printer, off the UI thread."""
    app = cast("OmsApp", screen.app)

    def work() -> None:
        from oms_tui.floor.labels.rules import LabelProblem
        from oms_tui.label_service import NoLabelService
        from oms_tui.printing.label_output import print_label
        from oms_tui.printing.output import PrintFailed

        try:
            desk = app.runtime.label_desk(app.desk.actor)
            label = desk.label_of(order_id)
            data = asyncio.run(desk.label_file(label))
            name = f"label-{label.order_name.lstrip('#')}-{label.tracking_number}"
            said = print_label(
                app.runtime.cache, app.runtime.settings, name, data, label.label_format.value, order_id
            )
        except (LabelProblem, NoLabelService, PrintFailed, SQLAlchemyError) as exc:
            problem = one_line(exc) if isinstance(exc, SQLAlchemyError) else str(exc)
            app.call_from_thread(screen.notify, problem, title="Label not printed", severity="error")
            return
        app.call_from_thread(screen.notify, said, title="Label printed")

    screen.run_worker(work, thread=True, exit_on_error=False, group="label-reprint")
