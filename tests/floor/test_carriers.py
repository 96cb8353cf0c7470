"""Tracking numbers: the carrier from the format and check digit, in Shopify's names; garbage is none."""

from __future__ import annotations

import pytest

from oms_tui.floor.packing.carriers import CHOICES, by_name, recognise

RECOGNISED = [
    # UPS: 1Z + shipper + service + package, mod-10 check with letters as digits
    ("1Z999AA10123456784", "UPS", "1Z999AA10123456784"),
    ("1z 999 aa1 0123 4567 84", "UPS", "1Z999AA10123456784"),
    # USPS IMpb, 22 and 26 digits, also behind the 420 + ZIP routing prefix
    ("9400 1112 0108 0805 4830 16", "USPS", "9400111201080805483016"),
    ("9361289878700317633795", "USPS", "9361289878700317633795"),
    ("9505511069605048600624", "USPS", "9505511069605048600624"),
    ("92748931507708513018050063", "USPS", "92748931507708513018050063"),
    ("420221539101026837331000039521", "USPS", "9101026837331000039521"),
    ("4201002334249200190132607600833457", "USPS", "9200190132607600833457"),
    # USPS 20 digits (certified mail and the like)
    ("7196 9010 7560 0307 7385", "USPS", "71969010756003077385"),
    # S10 items: mod-11 check, the suffix names the post
    ("EA123456785US", "USPS", "EA123456785US"),
    ("RB123456785GB", "Royal Mail", "RB123456785GB"),
    ("CP123456785CA", "Canada Post", "CP123456785CA"),
    ("LX123456785AU", "Australia Post", "LX123456785AU"),
    ("RR123456785NL", "PostNL", "RR123456785NL"),
    # FedEx: Express 12 (mod 11), Ground 15 (mod 10), Ground 96 (22), SmartPost 20
    ("986578788855", "FedEx", "986578788855"),
    ("477179081230", "FedEx", "477179081230"),
    ("0414 4176 0228 964", "FedEx", "041441760228964"),
    ("9611020987654312345672", "FedEx", "9611020987654312345672"),
    ("61299998820821171811", "FedEx", "61299998820821171811"),
    # DHL Express (mod 7) and eCommerce
    ("3318810025", "DHL Express", "3318810025"),
    ("8487135506", "DHL Express", "8487135506"),
    ("GM2951173225174494", "DHL eCommerce", "GM2951173225174494"),
    ("JJD0099999999", "DHL eCommerce", "JJD0099999999"),
    # regional
    ("3SABCD1234567", "PostNL", "3SABCD1234567"),
    ("09445440529271", "DPD", "09445440529271"),
    ("7023210039414604", "Canada Post", "7023210039414604"),
]

NOT_RECOGNISED = [
    "1Z999AA10123456785",  # UPS, wrong check digit
    "EA123456789US",  # S10, wrong check digit
    "EA123456785XX",  # S10 of no post we know
    "9400111201080805483017",  # USPS, wrong check digit
    "9200000000000000000000",
    "996578788855",  # FedEx Express, wrong check digit
    "568283610012732",  # FedEx Ground, wrong check digit
    "9600000000000000000001",
    "3318810010",  # DHL Express, wrong check digit
    "",
    "hello",
    "12345",
    "SKU-RED-M",
    "#1004",
    "1Z999AA1012345678",  # one short
    "💥1Z999AA10123456784",
]


@pytest.mark.parametrize(("scanned", "carrier", "number"), RECOGNISED)
def test_a_real_format_number_names_its_carrier(scanned: str, carrier: str, number: str) -> None:
    found = recognise(scanned)
    assert found is not None, scanned
    assert (found.carrier.name, found.number) == (carrier, number)
    assert found.url is None, "Shopify builds the link for its own carrier names"


@pytest.mark.parametrize("scanned", NOT_RECOGNISED)
def test_garbage_and_bad_check_digits_name_no_carrier(scanned: str) -> None:
    assert recognise(scanned) is None


def test_where_shopify_builds_no_link_the_url_is_ours() -> None:
    found = recognise("RR123456785AT")
    assert found is not None and found.carrier.name == "Österreichische Post"
    assert found.url == "https://www.post.at/s/sendungsdetails?snr=RR123456785AT"


def test_the_override_list_holds_each_carrier_once_by_its_shopify_name() -> None:
    names = [carrier.name for carrier in CHOICES]
    assert len(names) == len(set(names))
    assert {"UPS", "USPS", "FedEx", "DHL Express", "DHL eCommerce", "Royal Mail", "Canada Post"} <= set(names)
    assert by_name("FedEx") is not None and by_name("Fedex") is None  # Shopify's spelling, exactly
