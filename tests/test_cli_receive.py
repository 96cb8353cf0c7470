"""`oms-tui receive list` and a scripted `oms-tui receive SHIPMENT`: recorded as the dock records a
receipt, pushed to the store once, with a tally sheet; bad input is one line and records nothing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlmodel import select

from oms_tui.cache.database import open_cache
from oms_tui.cache.models import InboundReceipt, OutboxAction
from tests.cli_shop import oms, serving, synced_store
from tests.team import hire


def test_receive_lists_the_inbound_queue_then_a_scripted_receipt_reaches_the_store(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = synced_store(db_url, orders=20)
    hire(open_cache(db_url))
    listed = oms("receive", "list")
    assert listed.exit_code == 0, listed.output
    names = sorted(s.name for t in store.transfers.values() for s in t.shipments)
    assert [line.split()[0] for line in listed.output.splitlines()] == names
    shipment = min(store.transfers.values(), key=lambda t: t.id).shipments[0]
    first, second = shipment.line_items[:2]
    sku1, sku2 = first.inventory_item.sku, second.inventory_item.sku

    refused = oms("receive", shipment.name, "--staff", "P02", "--line", f"{sku1}={first.quantity + 1}:R-01")
    assert refused.exit_code == 1 and "a manager must accept them" in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    with open_cache(db_url).sessions() as session:
        assert session.exec(select(InboundReceipt)).all() == []  # nothing recorded

    tally = tmp_path / "tally.pdf"
    done = oms(
        "receive", shipment.name.lstrip("#"), "--staff", "P02", "--bin", "R-01",
        "--line", f"{sku1}={first.quantity - 1}", "--reject", f"{sku1}=1:damaged",
        "--line", f"{sku2}=1:R-02", "--tally", str(tally),
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    left = shipment.line_item_total_quantity - first.quantity - 1  # the lines not named stay expected
    assert f"{shipment.name}: {first.quantity + 1} unit(s), {left} still expected" in done.output
    assert tally.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        words = subprocess.run(
            ["pdftotext", "-layout", str(tally), "-"], capture_output=True, text=True
        ).stdout
        assert f"Tally sheet {shipment.name}" in words and "damaged" in words and "R-02" in words

    with serving(store, monkeypatch):
        pushed = oms("outbox", "push")
        assert pushed.exit_code == 0, pushed.output
    assert (first.accepted_quantity, first.rejected_quantity, second.accepted_quantity) == (
        first.quantity - 1,
        1,
        1,
    )
    with open_cache(db_url).sessions() as session:
        assert [a.state for a in session.exec(select(OutboxAction))] == ["done"]
