"""Shopify's search syntax, the part a sync needs: `field:value`, `field:>=value`, quoted values,
implicit or explicit AND, OR between values of one field (`sku:A OR sku:B`, as the inventory
query uses it), and `-field:value` for "not". `updated_at:>'T'` behaves like `>=` (as Shopify's
date filters do).

Unknown fields are ignored with a warning, as Shopify does (it reports them in `extensions.search`).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import UTC, datetime

OPERATORS = (">=", "<=", ">", "<", "=")
TIME_FIELDS = ("updated_at", "created_at")


@dataclass(frozen=True)
class Term:
    field: str
    op: str
    value: str
    negated: bool = False


@dataclass
class Search:
    terms: list[Term] = field(default_factory=list)
    free_text: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    any_of: bool = False  # the terms were joined by OR

    def time_bounds(self, name: str) -> tuple[int | None, int | None]:
        """Inclusive (lowest, highest) epoch seconds allowed for a time field."""
        low: int | None = None
        high: int | None = None
        for term in self.terms:
            if term.field != name:
                continue
            moment = parse_time(term.value)
            if term.op in (">", ">=", "="):
                low = moment if low is None else max(low, moment)
            if term.op == "<":
                moment -= 1
            if term.op in ("<", "<=", "="):
                high = moment if high is None else min(high, moment)
        return low, high

    def values(self, name: str) -> list[str]:
        return [t.value.lower() for t in self.terms if t.field == name and not t.negated]

    def excluded(self, name: str) -> list[str]:
        """The values of `-name:value` terms."""
        return [t.value.lower() for t in self.terms if t.field == name and t.negated]


def parse_time(text: str) -> int:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        text += "T00:00:00Z"
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def parse_search(query: str | None, known_fields: set[str]) -> Search:
    search = Search()
    if not query:
        return search
    lexer = shlex.shlex(query, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    for token in lexer:
        if token.upper() in ("AND", "OR"):
            search.any_of = search.any_of or token.upper() == "OR"
            continue
        name, colon, rest = token.partition(":")
        negated = bool(colon) and name.startswith("-")
        name = name.removeprefix("-") if negated else name
        if not colon:
            search.free_text.append(token.lower())
            continue
        op = next((o for o in OPERATORS if rest.startswith(o)), "=")
        value = rest[len(op) :] if rest.startswith(op) else rest
        op = ">=" if op == ">" and name in TIME_FIELDS else op
        if name not in known_fields:
            search.warnings.append(f"Invalid search field for this query: {name}")
            continue
        if name in TIME_FIELDS:
            try:
                parse_time(value)
            except ValueError:
                search.warnings.append(f"Invalid date for {name}: {value}")
                continue
        search.terms.append(Term(name, op, value, negated))
    return search
