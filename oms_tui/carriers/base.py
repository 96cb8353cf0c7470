"""What the floor asks of a carrier service, and the typed answers it gets back.

Units are the floor's: centimetres and grams (each service converts); prices are `Decimal`s.
Every call may raise a `CarrierError` subclass with a one-line message:

- `CarrierRejected`: the service refused the request (nothing was done); `code` says why.
- `CarrierBusy`: rate limited (nothing was done): try later.
- `CarrierUnreachable`: no answer (timeout, dropped connection, 5xx): a write's outcome is unknown.
- `CarrierAuthError`: the API key was refused.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol


class LabelFormat(enum.StrEnum):
    PDF = "PDF"  # 4x6 inches, for any printer
    ZPL = "ZPL"  # raw data for a thermal (Zebra) printer


class CarrierError(Exception):
    """A carrier call that did not do what was asked; `str()` is one line."""


class CarrierRejected(CarrierError):
    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class CarrierBusy(CarrierError):
    pass


class CarrierUnreachable(CarrierError):
    pass


class CarrierAuthError(CarrierError):
    pass


@dataclass(frozen=True)
class Address:
    name: str
    street1: str
    city: str
    zip: str
    country: str = "US"
    state: str = ""
    street2: str = ""
    company: str = ""
    phone: str = ""
    email: str = ""

    def one_line(self) -> str:
        parts = [self.name, self.street1, self.street2, self.city, self.state, self.zip, self.country]
        return ", ".join(part for part in parts if part)


@dataclass(frozen=True)
class Parcel:
    length_cm: float
    width_cm: float
    height_cm: float
    weight_g: float


@dataclass(frozen=True)
class Rate:
    id: str
    carrier: str
    service: str
    price: Decimal
    currency: str
    delivery_days: int | None

    def describe(self) -> str:
        days = f"{self.delivery_days} day(s)" if self.delivery_days is not None else "days unknown"
        return f"{self.carrier} {self.service} {self.price} {self.currency}, {days}"


@dataclass(frozen=True)
class Label:
    tracking: str
    carrier: str
    service: str
    url: str
    format: LabelFormat
    price: Decimal
    currency: str


@dataclass(frozen=True)
class Shipment:
    """A shipment at the carrier: its rates until it is bought, then its label (and refund status)."""

    id: str
    rates: tuple[Rate, ...] = ()
    label: Label | None = None
    rate_id: str | None = None  # the rate it was bought with
    refund_status: str | None = None  # submitted, refunded, rejected; None: never asked

    @property
    def bought(self) -> bool:
        return self.label is not None

    def rate(self, rate_id: str) -> Rate | None:
        return next((rate for rate in self.rates if rate.id == rate_id), None)


@dataclass(frozen=True)
class AddressCheck:
    """An address as the carrier sees it: deliverable or not, why not, and what it would suggest."""

    deliverable: bool
    errors: tuple[str, ...] = ()
    suggestion: Address | None = None  # the corrected address, when it differs from the one given


@dataclass(frozen=True)
class ScanForm:
    id: str
    tracking_codes: tuple[str, ...] = field(default_factory=tuple)
    url: str = ""  # the form's PDF


class Carrier(Protocol):
    """A label service: blocking calls (run them off the event loop)."""

    name: str

    def create_shipment(
        self, to: Address, sender: Address, parcel: Parcel, *, reference: str, label_format: LabelFormat
    ) -> Shipment:
        """A shipment with its rates; costs nothing until it is bought."""
        ...

    def buy(self, shipment_id: str, rate_id: str) -> Shipment:
        """Buy the label at `rate_id`: a shipment is bought at most once (a second buy is rejected)."""
        ...

    def retrieve(self, shipment_id: str) -> Shipment: ...

    def verify_address(self, address: Address) -> AddressCheck: ...

    def refund(self, shipment_id: str) -> Shipment:
        """Ask for the label's money back (void it); the refund status says how far it got."""
        ...

    def scan_form(self, shipment_ids: list[str]) -> ScanForm: ...

    def download(self, url: str) -> bytes:
        """A label or form file the service names by URL."""
        ...
