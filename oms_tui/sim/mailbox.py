"""The demo's mailbox: a real SMTP server (aiosmtpd) on loopback that keeps what it is sent, for a
person to read at the simulator's `GET /__mail` (and, when it has a folder, as a Maildir any mail
reader opens). The app sends to it as to any mail server: a host and a port.

aiosmtpd is imported when the server starts, never with the simulator.
"""

from __future__ import annotations

import email
import email.utils
import mailbox
import threading
from email.message import EmailMessage
from email.policy import default as DEFAULT_POLICY
from pathlib import Path
from typing import Any, cast

SHOWN = 200  # the newest messages `/__mail` lists


class Mailbox:
    """Messages received, in a Maildir folder (kept across restarts) or in memory."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._kept: list[bytes] = []
        self._maildir = mailbox.Maildir(folder, create=True) if folder is not None else None

    def deliver(self, raw: bytes) -> None:
        with self._lock:
            if self._maildir is not None:
                self._maildir.add(raw)
            else:
                self._kept.append(raw)

    def messages(self) -> list[EmailMessage]:
        with self._lock:
            if self._maildir is not None:
                raws = [self._maildir.get_bytes(key) for key in self._maildir.iterkeys()]
            else:
                raws = list(self._kept)
        parsed = [cast(EmailMessage, email.message_from_bytes(raw, policy=DEFAULT_POLICY)) for raw in raws]
        return sorted(parsed, key=_sent)

    def listing(self) -> list[dict[str, Any]]:
        """The newest messages as JSON: headers and the text body."""
        shown = []
        for message in self.messages()[-SHOWN:]:
            body = message.get_body(preferencelist=("plain",))
            shown.append(
                {
                    "from": str(message["From"]),
                    "to": str(message["To"]),
                    "subject": str(message["Subject"]),
                    "date": str(message["Date"]),
                    "messageId": str(message["Message-ID"]),
                    "body": body.get_content().replace("\r\n", "\n") if body is not None else "",
                }
            )
        return shown


def _sent(message: EmailMessage) -> float:
    try:
        return email.utils.parsedate_to_datetime(str(message["Date"])).timestamp()
    except (TypeError, ValueError):  # no Date, or not one: first
        return 0.0


class MailboxServer:
    """An SMTP server for `mailbox` on `host:port` (0: any free port), in its own thread."""

    def __init__(self, box: Mailbox, host: str = "127.0.0.1", port: int = 0) -> None:
        from aiosmtpd.controller import Controller

        from oms_tui.sim.server import free_port

        self.mailbox, self.host = box, host
        self.port = port or free_port(host)
        self._controller = Controller(_Keeper(box), hostname=host, port=self.port)

    def start(self) -> MailboxServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


class _Keeper:
    def __init__(self, box: Mailbox) -> None:
        self.mailbox = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mailbox.deliver(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"
