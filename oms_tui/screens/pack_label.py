"""The pack station's label: once every item is verified and the parcel weighed and boxed, the order's
address is checked and its shipment rated at the carrier (nothing is paid); the rule's rate (the
cheapest that keeps the order's promise) is offered and `r` picks another. `l` buys it, exactly once,
prints it (and again later: a reprint), and puts its tracking number and carrier on the pack, so F10
ships with them. An address the carrier cannot deliver to is held in one key (`h`).

Every carrier call runs in a worker thread through the label desk (`oms_tui.floor.labels.desk`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from textual import work

from oms_tui.carriers.base import AddressCheck, Rate
from oms_tui.floor.labels.desk import LabelDesk, LabelView, Quote, onto_pack
from oms_tui.floor.labels.rules import LabelProblem
from oms_tui.floor.packing.address_hold import hold_for_address
from oms_tui.floor.packing.boxes import remember
from oms_tui.floor.packing.pack_state import Pack
from oms_tui.label_service import NoLabelService
from oms_tui.printing.output import PrintFailed
from oms_tui.runtime import one_line
from oms_tui.screens.choice_modal import Choice, ChoiceModal
from oms_tui.screens.pack_parcel import ParcelScreen
from oms_tui.widgets.blocking_error import block

if TYPE_CHECKING:
    from oms_tui.app import OmsApp
    from oms_tui.floor.actions.order_desk import OrderDesk

Job = Callable[[LabelDesk], Coroutine[Any, Any, Any]]


class LabelScreen(ParcelScreen):
    """The label's part of the pack screen, which `PackScreen` builds on."""

    check: AddressCheck | None = None
    quote: Quote | None = None
    rate: Rate | None = None
    label: LabelView | None = None  # bought for this pack
    label_said: Text | None = None  # the last word about the label: printed, printer failed
    working: str = ""  # what the label's worker is doing now
    quoted_key: tuple[int, str] | None = None
    label_order: str | None = None  # the order all of the above is about

    @property
    def desk(self) -> OrderDesk:
        raise NotImplementedError

    def on_pack(self, step: Callable[[tuple[int, ...], Session], Pack]) -> None:
        """A step on the open pack (the pack screen's)."""
        raise NotImplementedError

    # --- when the parcel is ready: check and rate ---------------------------------------------------

    def parcel_changed(self) -> None:
        order_id = self.parcel.order_id if self.parcel else None
        if order_id != self.label_order:  # another pack: nothing checked, rated or bought for it yet
            self.label_order = order_id
            self.check, self.quote, self.rate, self.label, self.label_said = None, None, None, None, None
            self.quoted_key = None
        self.show_shipping()
        self.rate_when_ready()

    def rate_when_ready(self) -> None:
        """Check the address and rate the parcel once its weight and box are known (again when they
        change), unless a label is bought or the worker is busy (it looks again when done)."""
        parcel, pack = self.parcel, self.pack
        if parcel is None or pack is None or not pack.ready_for_tracking or self.label is not None:
            return
        if self.working:
            return
        key = parcel.quote_key
        if key is None or key == self.quoted_key or (self.check is not None and not self.check.deliverable):
            return
        self.quoted_key = key
        order, box, grams = pack.order_name, parcel.box.name if parcel.box else None, key[0]
        known = self.check

        async def check_and_rate(desk: LabelDesk) -> tuple[AddressCheck, Quote | None, LabelView | None]:
            try:
                bought = desk.label_of(order)  # a station that restarted mid-pack finds its label
            except LabelProblem:
                bought = None
            if bought is not None and bought.bought:
                return known or AddressCheck(True), None, bought
            check = known or await desk.verify(order)
            if not check.deliverable:
                return check, None, None
            return check, await desk.quote(order, box=box, weight_g=grams), None

        self.label_job("checking the address and rating", check_and_rate, self.rated, blocking=False)

    def rated(self, found: tuple[AddressCheck, Quote | None, LabelView | None]) -> None:
        self.check, quote, bought = found
        if bought is not None:  # bought before this station restarted: it ships with this pack
            self.label = bought
            if self.pack is not None and self.pack.tracking_number != bought.tracking_number:
                self.on_pack(lambda ids, session: onto_pack(session, self.desk.actor, ids, bought))
        if quote is not None:
            self.quote, self.rate = quote, quote.chosen
        self.show_shipping()
        self.rate_when_ready()  # the weight or box may have changed meanwhile

    # --- keys ------------------------------------------------------------------------------------

    def action_rate(self) -> None:
        quote = self.quote
        if quote is None or self.label is not None:
            return

        def picked(choice: Choice | None) -> None:
            rate = next((rate for rate in quote.rates if choice and rate.id == choice.value), None)
            if rate is not None and self.quote is quote:
                self.rate = rate
                self.show_shipping()

        def shown(rate: Rate) -> str:
            keeps = rate.delivery_days is not None and rate.delivery_days <= quote.max_days
            return f"{rate.describe()}{'' if keeps else f'  (over {quote.max_days} days)'}"

        listed = sorted(quote.rates, key=lambda rate: (rate.price, rate.delivery_days or 99, rate.id))
        self.app.push_screen(ChoiceModal("Rate", [(shown(rate), rate.id) for rate in listed]), picked)

    def action_label(self) -> None:
        """Buy the label at the rate shown and print it; once bought, print it again."""
        pack = self.pack
        if pack is None or pack.state != "open":
            return
        if self.label is not None and self.label_order == pack.order_id:
            self.reprint(self.label)
            return
        problem = self.not_ready_to_buy()
        if problem is not None:
            block(self.app, *problem)
            return
        quote, rate = self.quote, self.rate
        assert quote is not None and rate is not None

        async def buy(desk: LabelDesk) -> tuple[LabelView, Text]:
            label = await desk.purchase(quote, rate.id)
            return label, await self.print_now(desk, label)

        self.label_job("buying the label", buy, self.bought)

    def not_ready_to_buy(self) -> tuple[str, str, str] | None:
        pack = self.pack
        assert pack is not None
        if not pack.ready_for_tracking:
            return "Items not verified", pack.next_step, ""
        if self.working:
            return "One moment", f"The station is {self.working}", "Press l again when the rate shows"
        if self.check is not None and not self.check.deliverable:
            errors = "; ".join(self.check.errors) or "the carrier cannot deliver to this address"
            return "Address undeliverable", errors, "h holds the order for its address"
        if self.parcel is None or self.parcel.quote_key is None:
            return (
                "Parcel not weighed",
                "Weigh the parcel (the scale, or w to type it) and choose its box",
                "",
            )
        if self.quote is None or self.rate is None:
            return "No rate yet", "The parcel has no rates yet: check the label service, then weigh again", ""
        return None

    def bought(self, done: tuple[LabelView, Text]) -> None:
        self.label, self.label_said = done
        label, box = self.label, self.parcel.box if self.parcel else None

        def onto(ids: tuple[int, ...], session: Session) -> Pack:
            pack = onto_pack(session, self.desk.actor, ids, label)
            if box is not None:  # the box these items went in, offered first next time
                remember(session, pack, box, self.clock())
            return pack

        self.on_pack(onto)
        self.show_shipping()

    def reprint(self, label: LabelView) -> None:
        async def again(desk: LabelDesk) -> Text:
            return await self.print_now(desk, label)

        self.label_job("printing the label", again, self.printed)

    def printed(self, said: Text) -> None:
        self.label_said = said
        self.show_shipping()

    async def print_now(self, desk: LabelDesk, label: LabelView) -> Text:
        """In the label's worker: the label file to the label printer (kept when the printer fails)."""
        from oms_tui.printing.label_output import print_label

        data = await desk.label_file(label)
        name = f"label-{label.order_name.lstrip('#')}-{label.tracking_number}"
        try:
            said = print_label(
                self.cache, self.settings, name, data, label.label_format.value, label.order_id
            )
        except PrintFailed as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Label not printed", severity="error")
            return Text(f"not printed: {exc}", "bold red")
        return Text(f"printed: {said}", "green")

    def action_address_hold(self) -> None:
        pack = self.pack
        if pack is None or pack.state != "open":
            return
        errors = "; ".join(self.check.errors) if self.check is not None else ""
        reason = (
            f"the carrier cannot deliver: {errors}" if errors else "address marked undeliverable at packing"
        )
        self.on_pack(lambda ids, session: hold_for_address(session, self.desk.actor, ids, reason))

    # --- the worker -------------------------------------------------------------------------------

    def label_job(self, doing: str, job: Job, done: Callable[[Any], None], *, blocking: bool = True) -> None:
        """`job` in the label's worker, then `done` with its result on the UI thread (if the pack is
        still the same); a failure is said in the panel, and `blocking`: stops the packer too."""
        self.working = doing
        self.show_shipping()
        self.run_label_job(job, done, self.pack.order_id if self.pack else "", blocking)

    @work(thread=True, exit_on_error=False, group="pack-label")
    def run_label_job(self, job: Job, done: Callable[[Any], None], order_id: str, blocking: bool) -> None:
        try:
            desk = cast("OmsApp", self.app).runtime.label_desk(self.desk.actor)
            result = asyncio.run(job(desk))
        except (LabelProblem, NoLabelService, SQLAlchemyError) as exc:
            said = str(exc) if not isinstance(exc, SQLAlchemyError) else one_line(exc)
            self.app.call_from_thread(self.label_failed, said, order_id, blocking)
            return
        self.app.call_from_thread(self.label_done, done, result, order_id)

    def label_done(self, done: Callable[[Any], None], result: Any, order_id: str) -> None:
        self.working = ""
        if self.pack is not None and self.pack.order_id == order_id:
            done(result)
        self.show_shipping()

    def label_failed(self, said: str, order_id: str, blocking: bool) -> None:
        self.working = ""
        if self.pack is not None and self.pack.order_id == order_id:
            self.label_said = Text(said, "bold red")
            if blocking:
                hint = "Nothing is ever paid twice: press l to try again"
                block(self.app, "No label", said, hint)
        self.show_shipping()

    # --- drawing ----------------------------------------------------------------------------------

    def label_panel(self) -> list[tuple[str, Text]]:
        rows: list[tuple[str, Text]] = []
        if self.parcel is None or self.parcel.order_id != self.label_order:
            return rows
        check = self.check
        if check is not None and not check.deliverable:
            address = Text("undeliverable: ", "bold red")
            address.append("; ".join(check.errors) or "the carrier says so", "red")
            address.append("  h holds the order", "bold")
            rows.append(("Address", address))
        elif check is not None and check.suggestion is not None:
            rows.append(("Address", Text(f"suggested: {check.suggestion.one_line()}", "yellow")))
        elif check is not None:
            rows.append(("Address", Text("deliverable", "green")))
        if self.label is not None:
            label = self.label
            text = Text(f"{label.carrier} {label.service} {label.tracking_number}", "bold")
            text.append(f"  {label.price} {label.currency}  l to reprint", "dim")
            rows.append(("Label", text))
        elif self.rate is not None and self.quote is not None:
            rule = "cheapest" if self.rate == self.quote.chosen else "chosen"
            text = Text(self.rate.describe(), "bold")
            text.append(f"  {rule} in {self.quote.max_days} days · l buys · r rates", "dim")
            rows.append(("Rate", text))
        if self.working:
            rows.append(("", Text(f"{self.working}…", "italic")))
        elif self.label_said is not None:
            rows.append(("", self.label_said))
        return rows
