"""What every kind of floor action declares, and the shapes the declarations share.

A kind is one `Declaration` in a module of its own: its payload (a typed model, validated when the
action is recorded and when it is read back from the outbox), the permission it needs, how it reads on
the order timeline, where it goes (`target`), what it sends there and the evidence check that decides an
unknown outcome. Store kinds are `ActionType`s (a GraphQL request, its access scopes); carrier kinds are
`carrier_action.CarrierActionType`s (a call of the carrier interface). The outbox, the CLI, the order
screen and the checks read these declarations.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from sqlmodel import Session, select

from oms_tui.actions.permissions import Permission
from oms_tui.cache.enums import ActionKind, OutboxState
from oms_tui.cache.models import OutboxAction
from oms_tui.store.client import Client
from oms_tui.store.reread import read_nodes

# The store's clock and ours may disagree a little: what the store made this long before our first
# attempt still counts as possibly ours (what other actions made is excluded by id).
CLOCK_SKEW = timedelta(minutes=2)


class Payload(BaseModel):
    """A kind's payload, stored as JSON with the store's camelCase names."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json")


P = TypeVar("P", bound=Payload)


class Outcome(enum.StrEnum):
    APPLIED = "applied"  # at the store
    ABSENT = "absent"  # not at the store: safe to send
    IMPOSSIBLE = "impossible"  # not at the store, and it can no longer be sent
    PENDING = "pending"  # cannot tell yet: look again later


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    detail: str = ""
    result: dict[str, Any] | None = None


@dataclass(frozen=True)
class Request:
    document: str  # a file in oms_tui/store/documents
    variables: dict[str, Any]
    field: str  # the mutation's field in the answer


@dataclass(frozen=True)
class Known:
    """What the cache knows that a check needs: the fulfillment order's lines (id -> line item id) and
    what other delivered actions of the order made at the store (fulfillment or disposition ids)."""

    lines: Mapping[str, str] = field(default_factory=dict)
    taken: frozenset[str] = frozenset()


Wait = Callable[[float], Awaitable[None]]


class Target(enum.StrEnum):
    """Where a kind's actions go."""

    STORE = "store"  # Shopify's Admin API, through the store client
    CARRIER = "carrier"  # the label service, through `oms_tui.carriers`


class Declaration(ABC, Generic[P]):
    """What every kind declares, whatever it targets."""

    kind: ClassVar[ActionKind]
    target: ClassVar[Target]
    payload_model: type[P]
    permission: ClassVar[Permission]
    label: ClassVar[str]  # what the target got, on the timeline: "store confirmed the {label}"
    # Whether `OutboxAction.order_id` is an order (read again once answered); stock actions are queued
    # under their inventory item instead: one item's changes reach the store in the order made.
    of_order: ClassVar[bool] = True

    def read(self, data: Mapping[str, Any]) -> P:
        """The payload as recorded (raises pydantic's ValidationError when it is not one of ours)."""
        return self.payload_model.model_validate(data)

    def required(self, payload: P) -> Permission:
        """The permission this very action needs (a release of a fraud hold needs more)."""
        return self.permission

    @abstractmethod
    def timeline(self, payload: P, locations: Mapping[str, str]) -> str:
        """What was done, in words, for the order timeline (`locations`: id -> name)."""

    def about(self, payload: P, locations: Mapping[str, str]) -> str | None:
        """What the action is about, in words, when that is no order ("stock MUG-BLK @ Main
        Warehouse"); None: its order (`OutboxAction.order_id`)."""
        return None

    def settled(self, session: Session, action: OutboxAction) -> None:
        """The cache's side once the action is known to be delivered (`action.result` holds what is
        kept of the answer); in the outbox's transaction."""

    def rejected(self, session: Session, action: OutboxAction, message: str) -> None:
        """The cache's side once the target refused the action for good; in the outbox's transaction."""


class ActionType(Declaration[P]):
    """A kind that the store gets as a GraphQL mutation."""

    target = Target.STORE
    scopes: ClassVar[tuple[str, ...]]  # access scopes its request and its check need
    user_errors: ClassVar[str] = "userErrors"  # where the mutation's answer says what it refused
    returns: ClassVar[bool] = False  # its order's returns are read again once it is answered

    @abstractmethod
    def request(self, payload: P) -> Request: ...

    @abstractmethod
    async def check(
        self, client: Client, action: OutboxAction, payload: P, known: Known, now: datetime
    ) -> Verdict:
        """After an unknown outcome: is the action at the store? Only evidence counts."""

    def fulfillment_orders(self, payload: P) -> list[str]:
        """Fulfillment orders the action changed, read again by id once it is answered."""
        return []

    def known(self, session: Session, action: OutboxAction) -> Known:
        return Known()

    async def prepare(self, client: Client, payload: P) -> P | None:
        """The payload to send now; None when there is nothing left to send (done already)."""
        return payload

    def duplicate_of_applied(self, errors: list[dict[str, Any]]) -> bool:
        """Whether the store refused it only because an earlier attempt got through."""
        return False

    async def delivered(
        self,
        client: Client,
        action: OutboxAction,
        payload: P,
        result: dict[str, Any],
        wait: Wait,
        now: datetime,
    ) -> Verdict:
        """The store took the request: what to keep of its answer (some kinds wait for a job)."""
        return Verdict(Outcome.APPLIED, result=result)


def delivered_results(session: Session, action: OutboxAction) -> list[Mapping[str, Any]]:
    """What the store answered to the other delivered actions of this kind on the action's order: what
    they made at the store is theirs, not this action's."""
    results = session.exec(
        select(OutboxAction.result).where(
            OutboxAction.order_id == action.order_id,
            OutboxAction.kind == action.kind,
            OutboxAction.state == OutboxState.DONE,
            OutboxAction.id != action.id,
        )
    ).all()
    return [result or {} for result in results]


async def node(client: Client, document: str, ident: str) -> dict[str, Any] | None:
    return next(iter(await read_nodes(client, document, [ident])), None)


def store_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def words(code: str) -> str:
    """A store enum value as words: INCORRECT_ADDRESS -> incorrect address."""
    return code.replace("_", " ").lower()
