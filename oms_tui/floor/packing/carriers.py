"""Which carrier a tracking number belongs to, told from its format and check digit.

Names are Shopify's tracking company names, written exactly as Shopify lists them (capitalisation
matters): for those Shopify builds the customer's tracking link itself, in every shop's country. For
the few names Shopify links only for shops of one country we build the URL ourselves.

Formats overlap, so the checks run in this order and the first that fits wins:

1. Letters first: UPS `1Z` + 15 + check digit; an UPU S10 item `EA123456785US` (mod-11 check; the
   country suffix names the post: US -> USPS, GB -> Royal Mail, ...); DHL eCommerce `GM`/`JJD`;
   PostNL `3S`.
2. Digits only, by length:
   - 22: `96...` is FedEx Ground (mod-10 check). 22 or 26 starting `91`-`95` is USPS IMpb (mod-10
     check), also behind USPS's `420` + ZIP routing prefix (30/34 digits; the prefix is dropped).
     FedEx SmartPost labels also start `92` and pass the same check: USPS delivers them and its link
     finds them, so USPS wins.
   - 20: USPS (mod-10 check, with and without the implied `91`) before FedEx SmartPost (implied `92`):
     the two can both pass; the USPS reading is the commoner label in a US warehouse.
   - 10: DHL Express (mod-7 check).  12: FedEx Express (mod-11 check).  15: FedEx Ground (mod-10).
   - 14: DPD and 16: Canada Post have no printed check digit: recognised by length alone, so a typed
     override is always at hand on screen.
Anything else is not recognised (the packer picks the carrier from the list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Carrier:
    name: str  # Shopify's tracking company name
    url: str | None = None  # a tracking URL template ({} = the number), where Shopify builds none

    def tracking_url(self, number: str) -> str | None:
        return self.url.format(number) if self.url else None


UPS = Carrier("UPS")
USPS = Carrier("USPS")
FEDEX = Carrier("FedEx")
DHL_EXPRESS = Carrier("DHL Express")
DHL_ECOMMERCE = Carrier("DHL eCommerce")
ROYAL_MAIL = Carrier("Royal Mail")
CANADA_POST = Carrier("Canada Post")
AUSTRALIA_POST = Carrier("Australia Post")
POSTNL = Carrier("PostNL")
DPD = Carrier("DPD")
# Shopify links these for shops in one country only (Austria, Norway): elsewhere the link is ours.
AUSTRIAN_POST = Carrier("Österreichische Post", "https://www.post.at/s/sendungsdetails?snr={}")
BRING = Carrier("Bring", "https://tracking.bring.com/tracking/{}")

# The post that issued an S10 item, by its country suffix.
S10_POSTS: dict[str, Carrier] = {
    "US": USPS,
    "GB": ROYAL_MAIL,
    "CA": CANADA_POST,
    "AU": AUSTRALIA_POST,
    "NL": POSTNL,
    "AT": AUSTRIAN_POST,
    "NO": BRING,
    **{
        country: Carrier(name)
        for country, name in {
            "DE": "Deutsche Post",
            "FR": "Colissimo",
            "CH": "Swiss Post",
            "IE": "An Post",
            "NZ": "New Zealand Post",
            "IT": "Poste Italiane",
            "ES": "Correos",
            "PT": "CTT",
            "BR": "Correios",
            "CN": "China Post",
            "SG": "Singapore Post",
            "SE": "PostNord SE",
            "DK": "PostNord DK",
            "BE": "BPost",
            "IL": "Israel Post",
        }.items()
    },
}

# What the packer may choose from when overriding: the carriers above, most used first.
CHOICES: tuple[Carrier, ...] = tuple(
    dict.fromkeys(
        [
            *(UPS, USPS, FEDEX, DHL_EXPRESS, DHL_ECOMMERCE, ROYAL_MAIL, CANADA_POST, AUSTRALIA_POST),
            *(POSTNL, DPD),
            *sorted(S10_POSTS.values(), key=lambda carrier: carrier.name),
        ]
    )
)


def by_name(name: str) -> Carrier | None:
    return next((carrier for carrier in CHOICES if carrier.name == name), None)


@dataclass(frozen=True)
class Recognised:
    carrier: Carrier
    number: str  # as the carrier tracks it: spaces and a USPS routing prefix dropped

    @property
    def url(self) -> str | None:
        return self.carrier.tracking_url(self.number)


def normalise(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper()


def recognise(text: str) -> Recognised | None:
    """The carrier of tracking number `text`, or None when no format (and check digit) fits."""
    number = normalise(text)
    if not number.isalnum() or not number.isascii():
        return None
    if not number.isdigit():
        carrier = _lettered(number)
        return Recognised(carrier, number) if carrier else None
    if number.startswith("420") and len(number) in (30, 34):
        # 420 + ZIP (or ZIP+4) is USPS routing in front of the label's own 22 or 26 digits
        number = next((n for n in (number[8:], number[12:]) if _usps_impb(n)), number)
    carrier = _numeric(number)
    return Recognised(carrier, number) if carrier else None


def _lettered(number: str) -> Carrier | None:
    if re.fullmatch(r"1Z[0-9A-Z]{16}", number):
        return UPS if _ups_valid(number) else None
    if re.fullmatch(r"[A-Z]{2}\d{9}[A-Z]{2}", number):
        return S10_POSTS.get(number[-2:]) if _s10_valid(number) else None
    if re.fullmatch(r"(GM\d{16,20}|JJD\d{10,20})", number):
        return DHL_ECOMMERCE
    if re.fullmatch(r"3S[A-Z]{4}\d{6,11}", number):
        return POSTNL
    return None


def _numeric(number: str) -> Carrier | None:
    size = len(number)
    if size == 22 and number.startswith("96"):
        return FEDEX if _mod10(number[7:-1], even=1, odd=3) == int(number[-1]) else None
    if size in (22, 26) and number[:2] in ("91", "92", "93", "94", "95"):
        return USPS if _usps_impb(number) else None
    if size == 20:
        check = int(number[-1])
        if check in (_mod10(number[:-1], even=3, odd=1), _mod10("91" + number[:-1], even=3, odd=1)):
            return USPS
        return FEDEX if _mod10("92" + number[:-1], even=3, odd=1) == check else None
    if size == 10:
        return DHL_EXPRESS if int(number[:-1]) % 7 == int(number[-1]) else None
    if size == 12:
        weights = (3, 1, 7) * 4
        total = sum(int(digit) * weight for digit, weight in zip(number[:-1], weights, strict=False))
        return FEDEX if total % 11 % 10 == int(number[-1]) else None
    if size == 15:
        return FEDEX if _mod10(number[:-1], even=1, odd=3) == int(number[-1]) else None
    if size == 14:
        return DPD
    if size == 16:
        return CANADA_POST
    return None


def _usps_impb(number: str) -> bool:
    return (
        len(number) in (22, 26)
        and number[:2] in ("91", "92", "93", "94", "95")
        and _mod10(number[:-1], even=3, odd=1) == int(number[-1])
    )


def _mod10(digits: str, *, even: int, odd: int) -> int:
    """The check digit of `digits`, weighting characters at even and odd (0-based) places."""
    total = sum(_value(char) * (even if place % 2 == 0 else odd) for place, char in enumerate(digits))
    return (10 - total % 10) % 10


def _value(char: str) -> int:
    """UPS's digits for letters: A=2, B=3, ... cycling through 0-9."""
    return int(char) if char.isdigit() else (ord(char) - ord("A") + 2) % 10


def _ups_valid(number: str) -> bool:
    return number[-1].isdigit() and _mod10(number[2:-1], even=1, odd=2) == int(number[-1])


def _s10_valid(number: str) -> bool:
    digits = [int(digit) for digit in number[2:10]]
    check = 11 - sum(d * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check) == int(number[10])
