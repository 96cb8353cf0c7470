"""Printing through CUPS with a fake `lp` on PATH: the job, a refusing printer, no `lp` at all."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import FloorException
from oms_tui.cli import main
from tests.printing.conftest import orders_to_pick, read_back


def fake_lp(bin_dir: Path, script: str) -> Path:
    """An `lp` that records its arguments in `lp.args` beside it, then runs `script` (sh)."""
    bin_dir.mkdir(exist_ok=True)
    lp = bin_dir / "lp"
    lp.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{bin_dir}/lp.args"\n{script}\n')
    lp.chmod(lp.stat().st_mode | stat.S_IXUSR)
    return bin_dir / "lp.args"


@pytest.fixture
def printer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Printer `Dock-Laser`, the print folder in tmp_path, a PATH of only the fake's folder and sh's."""
    monkeypatch.setenv("OMS_PRINTER", "Dock-Laser")
    monkeypatch.setenv("OMS_PRINT_FOLDER", str(tmp_path / "prints"))
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin")
    return tmp_path / "prints"


def test_the_slip_goes_to_the_printer(shop_cache: Cache, printer: Path, tmp_path: Path) -> None:
    args = fake_lp(tmp_path / "bin", 'echo "request id is Dock-Laser-42 (1 file(s))"')
    order = orders_to_pick(shop_cache, 1)[0]
    result = CliRunner().invoke(main, ["print", "packing-slip", order.name])
    assert result.exit_code == 0, result.output
    [kept] = printer.glob("*.pdf")
    assert result.output.strip() == f"sent to Dock-Laser (Dock-Laser-42); PDF at {kept}"
    sent = args.read_text().splitlines()
    assert sent[:2] == ["-d", "Dock-Laser"] and sent[-1] == str(kept)
    assert read_back(kept, tmp_path).barcodes == [[order.name]]


def test_a_refusing_printer_is_a_floor_exception_and_the_pdf_is_kept(
    shop_cache: Cache, printer: Path, tmp_path: Path
) -> None:
    fake_lp(tmp_path / "bin", 'echo "lp: The printer or class does not exist." >&2; exit 1')
    orders = orders_to_pick(shop_cache, 2)
    result = CliRunner().invoke(main, ["print", "pick-list", *(order.name for order in orders)])
    assert result.exit_code == 1
    [kept] = printer.glob("*.pdf")
    problem = f"printer Dock-Laser failed: lp: The printer or class does not exist. (PDF kept at {kept})"
    assert result.output.strip() == f"Error: {problem}", "one line, no traceback"
    assert read_back(kept, tmp_path).barcodes[0], "nothing lost: the kept PDF is the pick list"
    with shop_cache.reads() as session:
        raised = session.exec(select(FloorException).where(FloorException.kind == "print_failed")).all()
    assert sorted((row.order_id, row.state, row.message) for row in raised) == sorted(
        (order.id, "open", problem) for order in orders
    )


def test_without_lp_the_pdf_is_kept_and_the_reason_said(
    shop_cache: Cache, printer: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    order = orders_to_pick(shop_cache, 1)[0]
    result = CliRunner().invoke(main, ["print", "packing-slip", order.name])
    assert result.exit_code == 1
    [kept] = printer.glob("*.pdf")
    assert result.output.strip() == (
        f"Error: cannot print on Dock-Laser: the `lp` command (CUPS) is not installed (PDF kept at {kept})"
    )
