"""EasyPost through its official SDK (`easypost`, imported when the first carrier is made).

The API key is a `SecretStr`, unwrapped only to build the SDK's client; the SDK's errors become ours
with one-line messages (the SDK's own may span lines and carry the whole response body).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr

from oms_tui.carriers.base import (
    Address,
    AddressCheck,
    CarrierAuthError,
    CarrierBusy,
    CarrierError,
    CarrierRejected,
    CarrierUnreachable,
    Label,
    LabelFormat,
    Parcel,
    Rate,
    ScanForm,
    Shipment,
)

API_BASE = "https://api.easypost.com/v2"
CM_PER_INCH = 2.54
GRAMS_PER_OUNCE = 28.349523125
ADDRESS_FIELDS = (
    "name",
    "company",
    "street1",
    "street2",
    "city",
    "state",
    "zip",
    "country",
    "phone",
    "email",
)
T = TypeVar("T")


class EasyPostCarrier:
    name = "EasyPost"

    def __init__(self, api_key: SecretStr, api_base: str = API_BASE, timeout_s: int = 30) -> None:
        import easypost  # heavy (requests and every model): only when labels are used

        self._client = easypost.EasyPostClient(
            api_key.get_secret_value(), api_base=api_base, timeout=timeout_s
        )
        self.api_base, self.timeout_s = api_base, timeout_s
        # one client for label files, its connections and TLS context kept (a label per parcel)
        self._files = httpx.Client(timeout=timeout_s, follow_redirects=True)

    def __repr__(self) -> str:  # never the key
        return f"EasyPostCarrier({self.api_base!r})"

    def create_shipment(
        self, to: Address, sender: Address, parcel: Parcel, *, reference: str, label_format: LabelFormat
    ) -> Shipment:
        answer = _call(
            lambda: self._client.shipment.create(
                to_address=_address(to),
                from_address=_address(sender),
                parcel={
                    "length": round(parcel.length_cm / CM_PER_INCH, 1),
                    "width": round(parcel.width_cm / CM_PER_INCH, 1),
                    "height": round(parcel.height_cm / CM_PER_INCH, 1),
                    "weight": round(parcel.weight_g / GRAMS_PER_OUNCE, 1),
                },
                reference=reference,
                options={"label_format": label_format.value},
            )
        )
        return shipment(answer)

    def buy(self, shipment_id: str, rate_id: str) -> Shipment:
        return shipment(_call(lambda: self._client.shipment.buy(shipment_id, rate={"id": rate_id})))

    def retrieve(self, shipment_id: str) -> Shipment:
        return shipment(_call(lambda: self._client.shipment.retrieve(shipment_id)))

    def refund(self, shipment_id: str) -> Shipment:
        return shipment(_call(lambda: self._client.shipment.refund(shipment_id)))

    def verify_address(self, address: Address) -> AddressCheck:
        fields: dict[str, Any] = _address(address)
        answer = _call(lambda: self._client.address.create(verify=True, **fields))
        delivery = (answer.get("verifications") or {}).get("delivery") or {}
        errors = tuple(
            f"{error.get('field') or 'address'}: {error.get('message') or error.get('code')}"
            for error in delivery.get("errors") or []
        )
        seen = _from_easypost(answer)
        suggestion = seen if _comparable(seen) != _comparable(address) else None
        return AddressCheck(bool(delivery.get("success")), errors, suggestion)

    def scan_form(self, shipment_ids: list[str]) -> ScanForm:
        answer = _call(lambda: self._client.scan_form.create(shipments=[{"id": i} for i in shipment_ids]))
        return ScanForm(
            answer["id"],
            tuple(answer.get("tracking_codes") or ()),
            str(answer.get("form_url") or ""),
        )

    def download(self, url: str) -> bytes:
        try:
            response = self._files.get(url)
        except httpx.HTTPError as exc:
            raise CarrierUnreachable(f"cannot fetch {url}: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise CarrierRejected(f"cannot fetch {url}: HTTP {response.status_code}")
        return response.content


def _call(request: Callable[[], Any]) -> dict[str, Any]:
    """The SDK's answer as plain data, or our error for its failure."""
    from easypost import errors

    try:
        answer = request()
    except (errors.TimeoutError, errors.HttpError, errors.GatewayTimeoutError) as exc:
        raise CarrierUnreachable(f"EasyPost did not answer: {_line(exc)}") from None
    except (errors.InternalServerError, errors.ServiceUnavailableError, errors.JsonError) as exc:
        raise CarrierUnreachable(f"EasyPost failed: {_line(exc)}") from None
    except errors.RateLimitError as exc:
        raise CarrierBusy(f"EasyPost is rate limiting us: {_line(exc)}") from None
    except (errors.UnauthorizedError, errors.ForbiddenError) as exc:
        raise CarrierAuthError(f"EasyPost refused the API key: {_line(exc)}") from None
    except errors.ApiError as exc:
        raise CarrierRejected(f"EasyPost refused: {_line(exc)}", exc.code or "") from None
    except errors.EasyPostError as exc:
        raise CarrierError(f"EasyPost: {_line(exc)}") from None
    data: dict[str, Any] = answer.to_dict() if hasattr(answer, "to_dict") else dict(answer)
    return data


def _line(exc: Exception) -> str:
    code = getattr(exc, "code", None)
    text = (getattr(exc, "message", None) or str(exc) or type(exc).__name__).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return f"{code}: {first}" if code else first


def shipment(data: dict[str, Any]) -> Shipment:
    rates = tuple(_rate(rate) for rate in data.get("rates") or ())
    selected = data.get("selected_rate") or None
    postage = data.get("postage_label") or None
    label = None
    if postage and data.get("tracking_code"):
        file_type = str(postage.get("label_file_type") or "")
        fmt = LabelFormat.ZPL if "zpl" in file_type.lower() else LabelFormat.PDF
        url = (
            postage.get("label_zpl_url" if fmt == LabelFormat.ZPL else "label_pdf_url")
            or postage["label_url"]
        )
        rate = _rate(selected) if selected else None
        label = Label(
            tracking=data["tracking_code"],
            carrier=rate.carrier if rate else "",
            service=rate.service if rate else "",
            url=url,
            format=fmt,
            price=rate.price if rate else Decimal(0),
            currency=rate.currency if rate else "",
        )
    return Shipment(
        id=data["id"],
        rates=rates,
        label=label,
        rate_id=selected["id"] if selected else None,
        refund_status=data.get("refund_status"),
    )


def _rate(data: dict[str, Any]) -> Rate:
    try:
        price = Decimal(str(data.get("rate")))
    except InvalidOperation:
        raise CarrierError(f"EasyPost sent a rate without a price: {data.get('id')}") from None
    days = data.get("delivery_days", data.get("est_delivery_days"))
    return Rate(
        id=data["id"],
        carrier=str(data.get("carrier") or ""),
        service=str(data.get("service") or ""),
        price=price,
        currency=str(data.get("currency") or "USD"),
        delivery_days=int(days) if days is not None else None,
    )


def _address(address: Address) -> dict[str, str]:
    return {name: value for name in ADDRESS_FIELDS if (value := getattr(address, name))}


def _from_easypost(data: dict[str, Any]) -> Address:
    return Address(**{name: str(data.get(name) or "") for name in ADDRESS_FIELDS})


def _comparable(address: Address) -> tuple[str, ...]:
    fields = ("street1", "street2", "city", "state", "zip", "country")
    return tuple(" ".join(str(getattr(address, name)).upper().split()) for name in fields)
