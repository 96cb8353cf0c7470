"""What a pack is while the packer works: its lines, what was verified, the next step, and the
problems that stop the packer."""

from __future__ import annotations

from dataclasses import dataclass, replace

SHIPPABLE = ("OPEN", "IN_PROGRESS")


class PackProblem(ValueError):
    """A scan or step that must stop the packer (see `packing`'s note on committing)."""

    def __init__(self, title: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.title, self.message, self.hint = title, message, hint


@dataclass(frozen=True)
class PackLine:
    fulfillment_order_id: str
    line_id: str  # the fulfillment order line item
    sku: str | None
    barcode: str | None
    title: str
    needed: int
    verified: int
    bundle: str | None = None  # the bundle it is a component of ("Starter Kit x 1"): packed as one

    def answers(self, code: str) -> bool:
        wanted = code.strip().casefold()
        return wanted in {(self.sku or "").casefold(), (self.barcode or "").casefold()} - {""}

    @property
    def name(self) -> str:
        return self.sku or self.barcode or self.title


@dataclass(frozen=True)
class PutBack:
    """Units that were at the bench for an order that will not ship: where they go back."""

    name: str
    quantity: int
    bins: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.name} to {', '.join(self.bins) or 'no bin on record'}"


@dataclass(frozen=True)
class Pack:
    order_id: str
    order_name: str
    customer: str
    session_ids: tuple[int, ...]
    lines: tuple[PackLine, ...]
    state: str  # open, confirmed, abandoned
    tracking_number: str | None = None
    carrier: str | None = None
    tracking_url: str | None = None
    notify_customer: bool = True
    partial_reason: str | None = None
    blocked: str | None = None  # why it can no longer ship: cancelled or held meanwhile
    put_back: tuple[PutBack, ...] = ()

    def verified_once(self, line_id: str) -> Pack:
        """The pack with one more unit of that line verified."""
        lines = tuple(
            replace(line, verified=line.verified + 1) if line.line_id == line_id else line
            for line in self.lines
        )
        return replace(self, lines=lines)

    @property
    def verified_units(self) -> int:
        return sum(line.verified for line in self.lines)

    @property
    def needed_units(self) -> int:
        return sum(line.needed for line in self.lines)

    @property
    def complete(self) -> bool:
        return all(line.verified >= line.needed for line in self.lines)

    @property
    def ready_for_tracking(self) -> bool:
        """Every unit verified, or some of them and a reason to ship only those."""
        return self.complete or (self.partial_reason is not None and self.verified_units > 0)

    @property
    def next_step(self) -> str:
        if self.state != "open":
            done = "shipped" if self.state == "confirmed" else f"not shipped ({self.blocked or 'abandoned'})"
            return f"{self.order_name} {done}: scan the next order"
        if not self.ready_for_tracking:
            return f"Scan the items: {self.verified_units} of {self.needed_units} verified"
        if not self.tracking_number:
            return "Buy the label (l), or scan a label's tracking number"
        if not self.carrier:
            return "Carrier not recognised: choose it"
        return "Confirm to ship"


def interrupted(pack: Pack) -> PackProblem:
    """The blocking message for a pack that sync cancelled or held (with its put-back list)."""
    items = "; ".join(str(item) for item in pack.put_back) or "nothing was at the bench"
    return PackProblem(f"Stop: {pack.order_name} {pack.blocked or 'stopped'}", f"Put back: {items}")
