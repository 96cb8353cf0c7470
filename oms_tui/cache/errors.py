"""Why a configured cache cannot be used as it is: a message of one line, saying what to do."""

from __future__ import annotations

from oms_tui.one_line import OneLineError


class CacheError(OneLineError):
    """The cache is missing, or its version is not one this oms-tui knows; nothing was touched."""
