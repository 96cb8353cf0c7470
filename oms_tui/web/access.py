"""Who may open a session on `oms-tui serve`: everyone, whoever gives the shared password (HTTP basic
auth), or whoever has the server's address with its key (`/?key=...`, printed when it starts).

The page and the websocket handshake are both checked, so a request without the secret never gets
as far as starting an app session. A browser sends the basic-auth credentials it was asked for on the
websocket handshake too; with a key, the page that was opened with it leaves an HttpOnly cookie that
the handshake (a URL the page cannot add the key to) carries instead.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web
from pydantic import SecretStr

REALM = "oms-tui"


@dataclass(frozen=True)
class Access:
    """`password` or `key` (or neither: open to anyone who reaches the port)."""

    password: SecretStr | None = None
    key: SecretStr | None = None

    @property
    def is_open(self) -> bool:
        return self.password is None and self.key is None

    def check(self, request: web.Request, port: int) -> None:
        """Raises the HTTP refusal unless `request` carries the secret (or none is asked)."""
        if self.is_open:
            return
        if self.password is not None and _same(_basic_password(request), self.password):
            return
        if self.key is not None:
            offered = request.query.get("key") or request.cookies.get(cookie_name(port))
            if _same(offered, self.key):
                return
        raise self._refusal()

    def remember(self, request: web.Request, response: web.StreamResponse, port: int) -> None:
        """After a page opened with `?key=`: the cookie its websocket handshake will carry."""
        if self.key is not None and "key" in request.query:
            response.set_cookie(
                cookie_name(port),
                self.key.get_secret_value(),
                httponly=True,
                samesite="Strict",
                secure=request.scheme == "https" or forwarded_https(request),
            )

    def _refusal(self) -> web.HTTPException:
        if self.password is not None:
            challenge = f'Basic realm="{REALM}", charset="UTF-8"'
            return web.HTTPUnauthorized(
                text="oms-tui: this server asks for its password\n", headers={"WWW-Authenticate": challenge}
            )
        return web.HTTPForbidden(
            text="oms-tui: open the address printed by `oms-tui serve`, with its ?key=\n"
        )


def cookie_name(port: int) -> str:
    """One cookie per port: two servers on one machine do not overwrite each other's."""
    return f"oms_serve_key_{port}"


def check_origin(request: web.Request) -> None:
    """Refuse a websocket opened by a page from another site: a browser would otherwise lend that
    page its credentials (or, on an open server, let any website drive the app)."""
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc.lower() != request.host.lower():
        raise web.HTTPForbidden(text="oms-tui: a page from another site may not open a session\n")


def forwarded_https(request: web.Request) -> bool:
    """Whether a TLS reverse proxy on this machine says the browser came over https."""
    proxied = request.remote in ("127.0.0.1", "::1")
    return proxied and request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def _basic_password(request: web.Request) -> str | None:
    """The password of the request's basic auth (UTF-8, as the challenge asks), if it has one."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    _user, colon, password = decoded.partition(":")
    return password if colon else None


def _same(offered: str | None, secret: SecretStr) -> bool:
    """Constant-time comparison: the answer's timing tells nothing about the secret."""
    if offered is None:
        return False
    return hmac.compare_digest(offered.encode(), secret.get_secret_value().encode())
