"""The reports as tables of text: one definition for the command line, its CSV and the screens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlmodel import Session

from oms_tui.floor.reports import queries, spend
from oms_tui.floor.reports.queries import Grouping, Stage
from oms_tui.floor.reports.spend import SpendGrouping, SpendRow

REPORTS = ("picks", "packs", "on-time", "exceptions", "label-spend")
STAGE_COLUMNS = ("orders", "units", "time/order", "mis-scans", "per 100 units")
SPEND_COLUMNS = (
    "labels",
    "cost",
    "voided",
    "refunded",
    "refund pending",
    "net spend",
    "per parcel",
    "currency",
)


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]

    def aligned(self) -> str:
        """Columns padded to their widest value: text left, numbers right."""
        widths = [max(map(len, column)) for column in zip(self.columns, *self.rows, strict=True)]
        lines = [self.columns, *self.rows]
        return "\n".join(
            "  ".join(
                value.ljust(width) if n == 0 else value.rjust(width)
                for n, (value, width) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
            for line in lines
        )


def minutes(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def money(cents: float | None) -> str:
    return "-" if cents is None else f"{round(cents) / 100:.2f}"


def spend_cells(row: SpendRow) -> tuple[str, ...]:
    return (
        row.label,
        str(row.bought),
        money(row.bought_cents),
        str(row.voided),
        money(row.refunded_cents),
        money(row.pending_cents),
        money(row.net_cents),
        money(row.per_parcel_cents),
        row.currency,
    )


def _stage(stage: Stage, shorts: bool) -> tuple[str, ...]:
    cells = [
        stage.label,
        str(stage.orders),
        str(stage.units),
        minutes(stage.seconds_per_order),
        str(stage.mis_scans),
        rate(stage.mis_scans_per_100),
    ]
    if shorts:
        cells += [str(stage.short_picks), rate(stage.short_picks_per_100)]
    return tuple(cells)


def _worked(stage: Stage) -> bool:
    return bool(stage.orders or stage.units or stage.mis_scans or stage.short_picks)


def report(session: Session, name: str, start: date, end: date, by: Grouping | SpendGrouping) -> Table:
    """Report `name` (one of `REPORTS`) over the days `start` to `end`, grouped `by` (label spend by
    day, week or service, then the range's total)."""
    if name == "label-spend":
        bought = spend.label_spend(session, start, end, cast(SpendGrouping, by))
        return Table((by, *SPEND_COLUMNS), [spend_cells(row) for row in (*bought, *spend.totals(bought))])
    by = cast(Grouping, by)
    if name in ("picks", "packs"):
        picks = name == "picks"
        view: Callable[[queries.WorkRow], Stage] = (
            (lambda row: row.picking) if picks else (lambda row: row.packing)
        )
        stages = [view(row) for row in queries.worked(session, start, end, by)]
        columns = (by, *STAGE_COLUMNS, *(("short picks", "per 100 units") if picks else ()))
        return Table(columns, [_stage(stage, picks) for stage in stages if _worked(stage)])
    if name == "on-time":
        shipped = queries.shipments(session, start, end, by)
        rows: list[tuple[str, ...]] = [
            (r.label, str(r.shipped), str(r.on_time), str(r.late), percent(r.percent)) for r in shipped
        ]
        return Table((by, "shipped", "on time", "late", "on time %"), rows)
    if name == "exceptions":
        found = queries.exceptions(session, start, end, by)
        return Table((by, "opened", "closed"), [(r.label, str(r.opened), str(r.closed)) for r in found])
    raise queries.ReportRefused(f"no report {name!r} (one of {', '.join(REPORTS)})")
