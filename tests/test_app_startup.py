"""`oms-tui` starts with the first screen's code alone: the modules loaded at its first frame, listed by a
child process started as the command starts, hold no other screen, no other workflow's floor rules and
none of the heavy optional libraries (PDFs, migrations, the web server, and the simulator when the
floor works for a real shop), nor the store client or the floor actions' code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import oms_tui.screens
from oms_tui.cache.database import open_cache

# The child: `oms-tui` as its console script runs it, headless; at the first frame it writes the
# modules loaded so far and quits.
PROBE = """
import json, os, sys
import oms_tui.app

first_frame = oms_tui.app.OmsApp._first_frame_shown

def listed(app):
    with open(os.environ["PROBE_OUT"], "w") as out:  # before anything the app starts after the frame
        json.dump(sorted(sys.modules), out)
    first_frame(app)
    app.exit()

oms_tui.app.OmsApp._first_frame_shown = listed
sys.argv = ["oms-tui"]
from oms_tui.entry import main
main()
"""

# What the first screen (the queues, under the sign-in) is made of; every other module of
# oms_tui/screens/ belongs to a screen not shown yet.
AT_START = {"__init__", "catalog", "registry", "messages", "floor_app", "lean_screen"}
AT_START |= {"queue_screen", "sign_in"}
NOT_YET = [
    "oms_tui.floor.packing",
    "oms_tui.floor.picking",
    "oms_tui.floor.returns",
    "oms_tui.printing",  # slips and pick lists
    "oms_tui.scale",  # the pack bench's scale
    "serial",
    "reportlab",
    "alembic",  # the cache is at the newest revision: nothing to migrate
    "oms_tui.web",
    "playwright",
    "aiohttp",
    "jinja2",  # message templates: when a message is first written
    "aiosmtpd",  # the demo's mailbox: at its first message
    "oms_tui.mail",
    "oms_tui.floor.messages",
    # the store's side: the live loop imports it once the first frame is out, an action at its first use
    "oms_tui.store.client",
    "oms_tui.store.sync",
    "oms_tui.store.outbox",
    "oms_tui.actions.base",
    "oms_tui.floor.actions.store_actions",
]
SIMULATOR = ["oms_tui.sim", "uvicorn", "starlette"]
STORE_LIBRARIES = ["graphql", "httpx"]  # the simulator has them; a real shop's station, not yet


def modules_at_first_frame(tmp_path: Path, shop: dict[str, str]) -> set[str]:
    url = f"sqlite:///{tmp_path / 'cache.sqlite3'}"
    open_cache(url).engine.dispose()  # migrated now, as any start after the first finds it
    listing = tmp_path / "modules.json"
    env = {name: value for name, value in os.environ.items() if not name.startswith(("OMS_", "TEXTUAL"))}
    env |= {
        "OMS_CONFIG_FILE": os.devnull,
        "OMS_DATABASE_URL": url,
        "OMS_STATION": "probe",
        "TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver",
        "PROBE_OUT": str(listing),
        **shop,
    }
    # `run` kills the child if it outlives the timeout
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert listing.exists(), f"the app never showed its first frame:\n{done.stderr[-2000:]}"
    return set(json.loads(listing.read_text()))


def loaded(modules: set[str], package: str) -> list[str]:
    return sorted(name for name in modules if name == package or name.startswith(f"{package}."))


def later_screens() -> list[str]:
    folder = Path(oms_tui.screens.__file__).parent
    return [f"oms_tui.screens.{path.stem}" for path in folder.glob("*.py") if path.stem not in AT_START]


@pytest.mark.parametrize(
    ("shop", "heavy"),
    [
        ({}, NOT_YET),  # no shop configured: the demo, on the built-in simulator
        # a real shop (here one that is not answering, on this machine): no simulator either
        (
            {"OMS_SHOP_URL": "https://127.0.0.1:9", "OMS_SHOPIFY_TOKEN": "x"},
            NOT_YET + SIMULATOR + STORE_LIBRARIES,
        ),
    ],
    ids=["demo", "shop"],
)
def test_the_first_frame_loads_the_first_screen_alone(
    tmp_path: Path, shop: dict[str, str], heavy: list[str]
) -> None:
    modules = modules_at_first_frame(tmp_path, shop)
    assert "oms_tui.screens.queue_screen" in modules  # the probe saw the first screen
    assert len(later_screens()) > 5  # the other screens, their modals and dialogs
    assert [name for name in later_screens() if name in modules] == []
    assert {package: loaded(modules, package) for package in heavy} == {package: [] for package in heavy}
