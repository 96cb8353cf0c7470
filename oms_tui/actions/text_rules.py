"""What text a person types may reach the store: the rules the payloads enforce when recorded.

Refused text is one clear line (a ValueError, which pydantic reports as such) and records nothing.
"""

from __future__ import annotations

import re

from oms_tui.plain_text import has_control

TRACKING_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{4,38}[A-Za-z0-9]$")  # 6-40: what carriers print
MAX_TAG = 40  # Shopify's limit for one tag
MAX_TAGS = 250  # and for the tags of one order
MAX_NOTE = 5000


def tracking_number(text: str) -> str:
    """A tracking number as carriers print it: trimmed, 6-40 letters, digits or hyphens."""
    number = text.strip()
    if not TRACKING_PATTERN.match(number):
        shown = number if len(number) <= 40 and not has_control(number) else f"{len(number)} characters"
        raise ValueError(f"{shown!r} is not a tracking number: 6-40 letters, digits or '-'")
    return number


def tag(text: str) -> str:
    """One order tag as Shopify keeps it: Shopify splits tags on commas, so a tag has none."""
    value = text.strip()
    if not value:
        raise ValueError("a tag must not be empty")
    if "," in value or has_control(value):
        raise ValueError(f"tag {value[:40]!r}: no commas or line breaks (one tag at a time)")
    if len(value) > MAX_TAG:
        raise ValueError(f"tag {value[:20]!r}...: at most {MAX_TAG} characters")
    return value


def split_tags(text: str) -> list[str]:
    """Tags a person typed as "rush, gift": split as Shopify splits them."""
    return [tag(part) for part in text.replace("\n", ",").split(",") if part.strip()]


def note(text: str) -> str:
    if has_control(text, newlines=True):
        raise ValueError("a note may not contain control characters")
    if len(text) > MAX_NOTE:
        raise ValueError(f"a note has at most {MAX_NOTE} characters ({len(text)} given)")
    return text
