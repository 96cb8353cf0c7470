"""Why a configured cache cannot be used as it is: a message of one line, saying what to do."""

from __future__ import annotations


class CacheError(Exception):
    """The cache is missing, or its version is not one this oms-tui knows; nothing was touched."""
