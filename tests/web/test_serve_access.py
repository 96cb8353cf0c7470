"""`oms-tui serve` off loopback asks every client for a secret (the shared password, or the key in the
address it prints) before any app session starts; `--public-board` serves the board alone, to anyone.
Checked with a raw websocket client, as a script on the network would try it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import httpx
import pytest

from oms_tui.sim.server import SimServer, run_in_thread
from oms_tui.sim.store import SimStore
from tests.web.serving import Served, Tab, children, serving, tab, until

pytestmark = pytest.mark.slow
PASSWORD = "pack-it-right-7"


@pytest.fixture
def shop() -> Iterator[SimServer]:
    with run_in_thread(SimStore(orders=5, seed=5), plan="plus") as server:
        yield server


def key_in(served: Served) -> str:
    """The key in the address the server printed when it started."""
    found = re.search(r"/\?key=(\S+)", served.output[0])
    assert found, f"no key in what the server printed: {served.output}"
    return found.group(1)


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": aiohttp.encode_basic_auth(user, password)}


async def refused(url: str, query: str = "", **handshake: object) -> int:
    """The HTTP status that refused the websocket handshake (failing if a session was opened)."""
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refusal:
            await http.ws_connect(f"{url}/ws?{query}width=120&height=36", **handshake)  # type: ignore[arg-type]
    return refusal.value.status


async def answers_a_scan(session: Tab) -> None:
    """The app on the other end works: a code typed into it gets its answer."""
    await session.ws.send_json(["stdin", "NOPE9\r"])
    await until("the app's answer to a scan", lambda: b"unknown code 'NOPE9'" in session.seen)


async def test_off_loopback_nobody_without_the_key_gets_a_session(shop: SimServer, tmp_path: Path) -> None:
    with serving(shop, tmp_path, host="0.0.0.0") as served:
        server, url = served.process, served.url
        key = key_in(served)
        assert httpx.get(url).status_code == 403
        assert httpx.get(f"{url}/?key=wrong-{key}").status_code == 403
        assert await refused(url) == 403
        assert await refused(url, f"key=wrong-{key}&") == 403
        assert await refused(url, headers={"Cookie": f"oms_serve_key_{url.rsplit(':', 1)[1]}=guess"}) == 403
        assert children(server.pid) == [], "a session started without the key"

        page = httpx.get(f"{url}/?key={key}")
        assert page.status_code == 200
        cookie = page.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        async with tab(url, headers={"Cookie": cookie.split(";")[0]}) as ws:  # as the page's own websocket
            assert len(children(server.pid)) == 1
            await answers_a_scan(ws)


async def test_the_password_opens_the_app_and_nothing_else_does(shop: SimServer, tmp_path: Path) -> None:
    environment = {"OMS_SERVE_PASSWORD": PASSWORD}
    with serving(shop, tmp_path, host="0.0.0.0", environment=environment) as served:
        server, url = served.process, served.url
        asked = httpx.get(url)
        assert asked.status_code == 401
        assert asked.headers["www-authenticate"].startswith('Basic realm="oms-tui"')
        assert httpx.get(url, auth=("boss", "wrong password")).status_code == 401
        assert await refused(url) == 401
        assert await refused(url, headers=basic("boss", PASSWORD[:-1])) == 401
        assert children(server.pid) == [], "a session started without the password"

        assert httpx.get(url, auth=("anyone", PASSWORD)).status_code == 200
        async with tab(url, headers=basic("anyone", PASSWORD)) as ws:
            (session,) = children(server.pid)
            await answers_a_scan(ws)
            environ = Path(f"/proc/{session}/environ").read_bytes()
            assert PASSWORD.encode() not in environ, "the session inherited the password"
        printed = "".join(served.output)
        assert "password" in printed and PASSWORD not in printed


async def test_the_board_off_loopback_needs_the_key_too(shop: SimServer, tmp_path: Path) -> None:
    with serving(shop, tmp_path, "--board", host="0.0.0.0") as served:
        assert httpx.get(served.url).status_code == 403
        assert await refused(served.url) == 403
        assert children(served.process.pid) == []


async def test_a_public_board_is_open_and_only_the_board(shop: SimServer, tmp_path: Path) -> None:
    with serving(shop, tmp_path, "--public-board", host="0.0.0.0") as served:
        server, url = served.process, served.url
        assert httpx.get(url).status_code == 200
        async with tab(url):
            (session,) = children(server.pid)
            command = Path(f"/proc/{session}/cmdline").read_bytes().split(b"\0")
            assert b"web-session" in command and b"--board" in command  # the board alone: no sign-in
        assert "open to anyone" in "".join(served.output).lower()


async def test_a_page_from_another_site_cannot_open_a_session(shop: SimServer, tmp_path: Path) -> None:
    """On loopback the server is open, but not to a website the user happens to visit (a browser
    sends that site's origin with the handshake)."""
    with serving(shop, tmp_path) as served:
        assert await refused(served.url, headers={"Origin": "http://evil.example"}) == 403
        assert children(served.process.pid) == []
        async with tab(served.url, headers={"Origin": served.url}):
            await until("a session", lambda: len(children(served.process.pid)) == 1)


def test_behind_a_tls_proxy_the_page_opens_a_secure_websocket(shop: SimServer, tmp_path: Path) -> None:
    with serving(shop, tmp_path) as served:
        page = httpx.get(served.url, headers={"X-Forwarded-Proto": "https", "Host": "oms.example.com"}).text
        assert 'data-session-websocket-url="wss://oms.example.com/ws"' in page
