"""`oms-tui serve` refuses what it cannot do in one line."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from oms_tui.cli import main


def test_a_port_in_use_is_one_line(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_SHOP_URL", "http://127.0.0.1:9")  # a shop, so no demo store is started
    monkeypatch.setenv("OMS_SHOPIFY_TOKEN", "x")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")
    assert "address already in use" in result.output

