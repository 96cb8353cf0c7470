"""Seeded shop fixtures that do not depend on the order count: locations, SKUs, inventory, people.

Faker runs once per store here (a few hundred names and addresses per country); orders then draw from
these pools with a cheap per-order RNG, so generating order #n never needs Faker again.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker

from oms_tui.sim.model import InventoryItem, InventoryLevel, Location, LocationAddress, Variant, gid

VARIANT_BASE = 44_100_000_000
INVENTORY_ITEM_BASE = 46_200_000_000
LOCATION_BASE = 71_300_000
CUSTOMER_BASE = 7_400_000_000

# (locale, country, country code): where the shop's customers live.
MARKETS = [
    ("en_US", "United States", "US"),
    ("en_US", "United States", "US"),
    ("en_CA", "Canada", "CA"),
    ("en_GB", "United Kingdom", "GB"),
    ("de_DE", "Germany", "DE"),
    ("fr_FR", "France", "FR"),
    ("nl_NL", "Netherlands", "NL"),
    ("en_AU", "Australia", "AU"),
]
PRODUCTS = [
    "Merino Tee",
    "Trail Hoodie",
    "Canvas Tote",
    "Rain Shell",
    "Wool Beanie",
    "Crew Socks",
    "Linen Shirt",
    "Cargo Shorts",
    "Puffer Vest",
    "Denim Jacket",
    "Silk Scarf",
    "Leather Belt",
]
COLOURS = ["Black", "Navy", "Olive", "Sand", "Rust", "Grey"]
SIZES = ["XS", "S", "M", "L", "XL"]
PEOPLE_PER_MARKET = 60


def ean13(twelve_digits: str) -> str:
    """Append the EAN-13 check digit (weights 1,3,1,3,... from the left)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(twelve_digits))
    return twelve_digits + str((10 - total % 10) % 10)


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    email: str
    phone: str
    customer_index: int


@dataclass(frozen=True)
class Street:
    address1: str
    city: str
    province: str | None
    province_code: str | None
    zip: str
    country: str
    country_code: str


def build_locations() -> list[Location]:
    specs = [
        ("Main Warehouse", True, "1200 Harbor Blvd", "Oakland", "California", "CA", "94607"),
        ("East Coast DC", True, "45 Logistics Way", "Edison", "New Jersey", "NJ", "08817"),
        ("Soho Store", True, "112 Prince St", "New York", "New York", "NY", "10012"),
        ("Old Warehouse (closed)", False, "9 Mill Rd", "Reno", "Nevada", "NV", "89502"),
    ]
    return [
        Location(
            gid("Location", LOCATION_BASE + n),
            name,
            active,
            LocationAddress(street, None, city, prov, code, zip_, "United States", "US", "+15105550100"),
        )
        for n, (name, active, street, city, prov, code, zip_) in enumerate(specs)
    ]


def build_variants(rng: random.Random) -> list[Variant]:
    variants: list[Variant] = []
    for p, product in enumerate(PRODUCTS):
        for c, colour in enumerate(COLOURS):
            for s, size in enumerate(SIZES):
                index = len(variants)
                code = f"{product.split()[-1][:4].upper()}-{colour[:3].upper()}-{size}"
                barcode = ean13(f"40{p:02d}{c:02d}{s:02d}{rng.randrange(10_000):04d}")
                title = f"{product} - {colour} / {size}"
                variants.append(
                    Variant(
                        gid("ProductVariant", VARIANT_BASE + index),
                        gid("InventoryItem", INVENTORY_ITEM_BASE + index),
                        code,
                        barcode,
                        title,
                        True,
                    )
                )
    gift = len(variants)
    variants.append(
        Variant(
            gid("ProductVariant", VARIANT_BASE + gift),
            gid("InventoryItem", INVENTORY_ITEM_BASE + gift),
            "GIFT-CARD-50",
            ean13("400000000050"),
            "Gift Card - $50",
            False,
        )
    )
    return variants


def build_inventory(
    rng: random.Random, variants: list[Variant], locations: list[Location]
) -> list[InventoryItem]:
    items = []
    for variant in variants:
        item = InventoryItem(variant.inventory_item_id, variant.sku)
        legacy = variant.inventory_item_id.rsplit("/", 1)[1]
        for location in locations:
            stocked = location.is_active and rng.random() < 0.9
            on_hand = rng.randrange(0, 400) if stocked else 0
            level_id = (
                f"gid://shopify/InventoryLevel/{location.id.rsplit('/', 1)[1]}?inventory_item_id={legacy}"
            )
            item.levels.append(
                InventoryLevel(level_id, location, item, on_hand, min(on_hand, rng.randrange(30)))
            )
        items.append(item)
    return items


PROVINCES = {
    "US": [
        ("California", "CA"),
        ("New York", "NY"),
        ("Texas", "TX"),
        ("Illinois", "IL"),
        ("Ohio", "OH"),
        ("Washington", "WA"),
        ("Florida", "FL"),
        ("Georgia", "GA"),
        ("Michigan", "MI"),
        ("Oregon", "OR"),
    ],
    "CA": [("Ontario", "ON"), ("Quebec", "QC"), ("British Columbia", "BC"), ("Alberta", "AB")],
    "AU": [("New South Wales", "NSW"), ("Victoria", "VIC"), ("Queensland", "QLD")],
}


def _province(fake: Faker, country_code: str) -> tuple[str | None, str | None]:
    """Countries whose addresses carry a province in Shopify's checkout; others leave it empty."""
    choices = PROVINCES.get(country_code)
    return fake.random_element(choices) if choices else (None, None)


def build_people(seed: int) -> tuple[list[Person], list[Street]]:
    people: list[Person] = []
    streets: list[Street] = []
    for m, (locale, country, code) in enumerate(MARKETS):
        fake = Faker(locale)
        fake.seed_instance(seed * 100 + m)
        for _ in range(PEOPLE_PER_MARKET):
            first, last = fake.first_name(), fake.last_name()
            domain = fake.free_email_domain()
            email = f"{first}.{last}@{domain}".lower().replace(" ", "")
            people.append(Person(first, last, email, fake.phone_number(), len(people)))
            province, province_code = _province(fake, code)
            streets.append(
                Street(
                    fake.street_address(),
                    fake.city(),
                    province,
                    province_code,
                    fake.postcode(),
                    country,
                    code,
                )
            )
    return people, streets
