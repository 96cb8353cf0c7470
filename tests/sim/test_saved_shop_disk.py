"""The demo shop's file on a disk that refuses writes: one line, no `.partial` file left behind."""

from __future__ import annotations

import logging
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from oms_tui.cache.database import open_cache
from oms_tui.sim.saved_shop import SavedShopFile
from oms_tui.sim.testing import sim_client

REPO = Path(__file__).resolve().parents[2]
FILE_SIZE_LIMIT = 64 * 1024  # the cache fits (it is only read); the demo shop's 400 orders do not
TAG = 'mutation($id: ID!) { tagsAdd(id: $id, tags: ["packed"]) { userErrors { message } } }'


def small_disk() -> None:
    """A file size limit: a write past it fails (EFBIG) as on a full disk (ENOSPC), mid-file."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


@pytest.mark.parametrize("command", [("outbox",), ()], ids=["outbox", "app"])
def test_a_demo_shop_that_cannot_be_saved_is_one_line_and_leaves_no_partial_file(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    cache = tmp_path / "cache.sqlite3"
    open_cache(f"sqlite:///{cache}").close()  # as `oms-tui db upgrade` makes it
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "OMS_CONFIG_FILE": os.devnull,
        "OMS_DATABASE_URL": f"sqlite:///{cache}",
    }
    environment.pop("OMS_SHOP_URL", None)  # the demo: the embedded simulator and its saved shop
    done = subprocess.run(
        [sys.executable, "-m", "oms_tui.cli", *command],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=small_disk,
        stdin=subprocess.DEVNULL,
    )
    shop = tmp_path / "cache.sqlite3.demo-shop"
    assert (done.returncode, done.stderr) == (
        1,
        f"Error: cannot save the demo shop to {shop}: File too large\n",
    )
    assert sorted(path.name for path in tmp_path.iterdir() if "demo-shop" in path.name) == []


async def test_a_change_the_file_cannot_keep_is_not_answered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "data"
    saved = SavedShopFile(folder / "demo-shop")
    store = saved.open(orders=5, seed=7)
    shutil.rmtree(folder)
    folder.write_text("not a folder")  # where the shop goes, nothing can be written
    async with sim_client(store, saved=saved) as client:
        found = await client.post(
            "/admin/api/2026-04/graphql.json", json={"query": "{ orders(first: 1) { nodes { id } } }"}
        )
        order_id = found.json()["data"]["orders"]["nodes"][0]["id"]
        refused = await client.post(
            "/admin/api/2026-04/graphql.json", json={"query": TAG, "variables": {"id": order_id}}
        )
        assert refused.status_code == 503  # the client checks the outcome later, as after any 5xx
        assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == [
            f"cannot save the demo shop to {folder / 'demo-shop'}: File exists"
        ]
        folder.unlink()  # room again: the next answer saves the change, and is answered
        again = await client.post(
            "/admin/api/2026-04/graphql.json", json={"query": TAG, "variables": {"id": order_id}}
        )
        assert again.status_code == 200
    reopened = SavedShopFile(folder / "demo-shop").open(orders=5, seed=7)  # as after a restart
    async with sim_client(reopened) as client:
        query = {"query": "query($id: ID!) { order(id: $id) { tags } }", "variables": {"id": order_id}}
        kept = await client.post("/admin/api/2026-04/graphql.json", json=query)
    assert kept.json()["data"]["order"]["tags"] == ["packed"]
