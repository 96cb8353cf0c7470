"""The demo's mailbox: with no mail server set, the demo sends to a real SMTP server on loopback (as
to any other: a host and a port), and a person reads what went at the simulator's GET /__mail."""

from __future__ import annotations

from pathlib import Path

import httpx
from pydantic import SecretStr

from oms_tui.cache.database import open_cache
from oms_tui.config import Settings
from oms_tui.mail.smtp import Delivery, compose, send
from oms_tui.runtime import Runtime
from oms_tui.sim.app import create_app
from oms_tui.sim.mailbox import Mailbox
from oms_tui.sim.store import SimStore


async def test_the_demo_sends_to_its_mailbox_and_the_simulator_lists_it(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="desk-1")
    box = Mailbox(tmp_path / "mail")  # a Maildir: what went stays across restarts
    runtime = Runtime(
        settings, open_cache(settings.database_url), "http://sim", SecretStr("x"), demo_mailbox=box
    )
    try:
        server = runtime.mail_server()
        assert runtime.mail_server() is server  # one mailbox server, started at the first message
        message = compose(
            server.sender,
            "ana@example.org",
            "Your order",
            "Hello Ana\n",
            "<1.2@demo.test>",
            "Sat, 21 Nov 2026 10:00:00 +0000",
        )
        assert send(server, message).delivery == Delivery.SENT
    finally:
        runtime.close()
    app = create_app(SimStore(orders=1, seed=1), mailbox=Mailbox(tmp_path / "mail"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as client:
        listed = (await client.get("/__mail")).json()
    assert listed == [
        {
            "from": "Demo Shop <shop@demo-shop.example>",
            "to": "ana@example.org",
            "subject": "Your order",
            "date": "Sat, 21 Nov 2026 10:00:00 +0000",
            "messageId": "<1.2@demo.test>",
            "body": "Hello Ana\n",
        }
    ]


def test_with_a_mail_server_set_the_demo_uses_it(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}",
        smtp_host="mail.brand.test",
        smtp_from="Brand <shop@brand.test>",
    )
    runtime = Runtime(
        settings, open_cache(settings.database_url), "http://sim", SecretStr("x"), demo_mailbox=Mailbox()
    )
    try:
        server = runtime.mail_server()
    finally:
        runtime.close()
    assert (server.host, server.port, server.starttls) == ("mail.brand.test", 587, True)
