"""Tracking numbers in each carrier's real format, with their check digits (a scanner or a
carrier-recognition rule reads them as the carrier's)."""

from __future__ import annotations

import random


def _mod10(digits: str, *, even: int, odd: int) -> int:
    total = sum(_value(char) * (even if place % 2 == 0 else odd) for place, char in enumerate(digits))
    return (10 - total % 10) % 10


def _value(char: str) -> int:
    return int(char) if char.isdigit() else (ord(char) - ord("A") + 2) % 10


def tracking_number(carrier: str, rng: random.Random) -> str:
    if carrier == "UPS":  # 1Z, shipper number, service, package, check digit
        body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(6))
        body += "03" + "".join(rng.choice("0123456789") for _ in range(7))
        return f"1Z{body}{_mod10(body, even=1, odd=2)}"
    if carrier == "FedEx":  # FedEx Express: 11 digits and a mod-11 check
        body = "".join(rng.choice("0123456789") for _ in range(11))
        total = sum(int(digit) * weight for digit, weight in zip(body, (3, 1, 7) * 4, strict=False))
        return f"{body}{total % 11 % 10}"
    body = "9400" + "".join(rng.choice("0123456789") for _ in range(17))  # USPS IMpb, 22 digits
    return f"{body}{_mod10(body, even=3, odd=1)}"
