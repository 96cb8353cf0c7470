"""A message's audit events in words, for the order's timeline (who and when come with the event)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

WORDS = {
    "message.sent": "emailed the customer",
    "message.marked_sent": "marked the message sent",
    "message.failed": "message NOT sent",
    "message.unknown": "message sent or not: unknown (answer lost)",
}


def message_text(action: str, details: Mapping[str, Any]) -> str:
    """'emailed the customer (delayed): Your order #1001 is delayed'."""
    what = WORDS.get(action, action.replace(".", ": ").replace("_", " "))
    return f"{what} ({details.get('template', '?')}): {details.get('emailSubject', '')}"
