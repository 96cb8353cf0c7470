"""The rules managers write in the settings file, checked as the settings load.

    [[rules]]
    name = "Review big first orders"
    total_over = "500 EUR"
    customer_orders_at_most = 1
    hold = "OTHER"
    hold_note = "review: a first order over 500 EUR"

A rule is its name, conditions on the order (all must hold) and actions. An unknown key or a value
that does not fit is a `RuleError` naming the rule and the key; `line_of` finds the line it is on
(tomllib keeps no line numbers), so the settings file's error names the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

RISK_LEVELS = ("HIGH", "MEDIUM", "LOW", "NONE", "PENDING")  # Shopify's RiskAssessmentResult
HOLD_REASONS = (
    "AWAITING_PAYMENT",
    "HIGH_RISK_OF_FRAUD",
    "INCORRECT_ADDRESS",
    "INVENTORY_OUT_OF_STOCK",
    "UNKNOWN_DELIVERY_DATE",
    "OTHER",
)
PRIORITY_NAMES = {"rush": 0, "normal": 5, "slow": 8}  # as `cache.priority` ranks tags
MONEY = re.compile(r"^\s*(\d+(?:\.\d{1,2})?)\s+([A-Za-z]{3})\s*$")


class RuleError(ValueError):
    """A rule as written does not fit: `index` is its place among the [[rules]], `key` the key."""

    def __init__(self, index: int, key: str | None, message: str) -> None:
        super().__init__(message)
        self.index, self.key = index, key


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def _texts(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) and i.strip() for i in items):
        raise ValueError("must be a text or a list of texts")
    return tuple(item.strip() for item in items)


def _folded(value: Any) -> tuple[str, ...]:
    return tuple(item.casefold() for item in _texts(value))


def _countries(value: Any) -> tuple[str, ...]:
    codes = tuple(item.upper() for item in _texts(value))
    for code in codes:
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise ValueError(f"{code!r} is not a two-letter country code like DE")
    return codes


def _money(value: Any) -> Money:
    found = MONEY.match(value) if isinstance(value, str) else None
    if found is None:
        raise ValueError('must be an amount and its currency, like "500 EUR"')
    try:
        return Money(Decimal(found[1]), found[2].upper())
    except InvalidOperation:
        raise ValueError('must be an amount and its currency, like "500 EUR"') from None


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("must be a whole number, 0 or more")
    return value


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], tuple[str, ...]]:
    def check(value: Any) -> tuple[str, ...]:
        picked = tuple(item.upper() for item in _texts(value))
        for item in picked:
            if item not in choices:
                raise ValueError(f"{item!r} is not one of {', '.join(choices)}")
        return picked

    return check


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a text")
    return value.strip()


def _hold_reason(value: Any) -> str:
    reason = _text(value).upper()
    if reason not in HOLD_REASONS:
        raise ValueError(f"{reason!r} is not a hold reason: {', '.join(HOLD_REASONS)}")
    return reason


def _priority(value: Any) -> int:
    if isinstance(value, str) and value.strip().casefold() in PRIORITY_NAMES:
        return PRIORITY_NAMES[value.strip().casefold()]
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9:
        return value
    raise ValueError(f"must be rush, normal, slow or a number from 0 (first) to 9, not {value!r}")


# Conditions on the order, each with what its value must be.
CONDITIONS: dict[str, Callable[[Any], Any]] = {
    "tags": _folded,  # has any of these tags
    "channel": _folded,  # sold through one of these (Shopify's sourceName: web, pos, ...)
    "shipping_method": _folded,  # the method's name contains one of these
    "country": _countries,  # ships to one of these
    "country_not": _countries,  # ships elsewhere than these
    "total_over": _money,  # more than this, in this currency
    "total_under": _money,
    "sku": _texts,  # has a line with one of these SKUs
    "units_at_least": _count,
    "units_at_most": _count,
    "risk": _one_of(RISK_LEVELS),  # the store's risk level is one of these
    "customer_orders_at_most": _count,  # the customer's orders, this one included: 1 = a first order
    "customer_orders_at_least": _count,
    "note_contains": _text,
}
ACTIONS: dict[str, Callable[[Any], Any]] = {
    "hold": _hold_reason,  # hold its open fulfillment orders, for this reason
    "tag": _texts,  # add these tags (at the store)
    "priority": _priority,  # move it up or down the queues, here
    "move_to": _text,  # move its open fulfillment orders to this location (by name)
    "wave": _text,  # put it in this wave
    "exception": _text,  # raise an exception with this message
}
WITH = {"hold_note": ("hold", _text)}  # keys that go with an action


@dataclass(frozen=True)
class Rule:
    name: str
    conditions: tuple[tuple[str, Any], ...]
    actions: tuple[tuple[str, Any], ...]
    hold_note: str = ""


def check_rules(written: list[Any]) -> list[Rule]:
    """The rules as written in the settings, checked; raises RuleError at the first that does not fit."""
    rules: list[Rule] = []
    for index, table in enumerate(written):
        if not isinstance(table, dict):
            raise RuleError(index, None, f"rule {index + 1} is not a table of keys")
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise RuleError(index, "name" if "name" in table else None, f"rule {index + 1} needs a name")
        name = name.strip()
        if any(rule.name.casefold() == name.casefold() for rule in rules):
            raise RuleError(index, "name", f"rule {name!r}: another rule has this name")
        conditions, actions, note = [], [], ""
        for key, value in table.items():
            if key == "name":
                continue
            check = CONDITIONS.get(key) or ACTIONS.get(key) or (WITH[key][1] if key in WITH else None)
            if check is None:
                known = ", ".join([*CONDITIONS, *ACTIONS, *WITH])
                raise RuleError(index, key, f"rule {name!r}: unknown key {key!r} (known: {known})")
            try:
                checked = check(value)
            except ValueError as exc:
                raise RuleError(index, key, f"rule {name!r}: {key} {exc}") from None
            if key in CONDITIONS:
                conditions.append((key, checked))
            elif key in ACTIONS:
                actions.append((key, checked))
            else:
                note = checked
        if not conditions:
            raise RuleError(index, None, f"rule {name!r} has no condition (it would act on every order)")
        if not actions:
            raise RuleError(index, None, f"rule {name!r} has no action")
        for key, (needs, _) in WITH.items():
            if key in table and needs not in table:
                raise RuleError(index, key, f"rule {name!r}: {key} goes with {needs}")
        rules.append(Rule(name, tuple(conditions), tuple(actions), note))
    return rules


RULES_TABLE = re.compile(r"^\s*\[\[\s*rules\s*\]\]")
ANY_TABLE = re.compile(r"^\s*\[")


def line_of(text: str, index: int, key: str | None) -> int | None:
    """The line (from 1) of rule `index`'s `key` in the settings file's text (its [[rules]] header
    when no key is named or found), or None when the rules are not written as [[rules]] tables."""
    lines = text.splitlines()
    headers = [n for n, line in enumerate(lines) if RULES_TABLE.match(line)]
    if index >= len(headers):
        return None
    start = headers[index]
    if key is not None:
        pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*=")
        for n in range(start + 1, len(lines)):
            if ANY_TABLE.match(lines[n]):
                break
            if pattern.match(lines[n]):
                return n + 1
    return start + 1
