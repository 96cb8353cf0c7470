"""`oms-tui find`: "where is my order?" from a shell, as the search screen answers it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from oms_tui.cache.database import open_cache
from oms_tui.cli import main
from tests.floor.order_nodes import order_node, write
from tests.local_time import utc_local_time


@pytest.fixture(autouse=True)
def shop(db_url: str) -> Iterator[None]:
    cache = open_cache(db_url)
    with cache.sessions() as session:
        write(
            session,
            order_node(1001, "José Núñez", email="jose@example.com", lines=[("TEE-BLK-M", None)]),
            order_node(1002, "Ana Lopez", lines=[("TEE-BLK-L", None)], tracking=["1Z999AA10123456784"]),
            order_node(1003, "Bo Chen", lines=[("MUG-WHT", None)], cancelled=True),
            order_node(1004, "Evil\x1b[2J\x1b]0;pwned\x07 \u202eNamE", email="evil@example.com"),
            order_node(11001, "Mary Jones", lines=[("HAT-1001", None)]),
        )
    cache.close()
    with utc_local_time():
        yield


def find(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["find", *args])
    return result.exit_code, result.output


def test_find_prints_order_customer_status_and_what_matched_newest_first() -> None:
    code, output = find("tee-bl")
    assert code == 0
    assert output.splitlines() == [
        "order  placed            customer    status       matched",
        "#1002  2026-11-21 01:42  Ana Lopez   fulfilled    SKU TEE-BLK-L",
        "#1001  2026-11-21 01:41  José Núñez  unfulfilled  SKU TEE-BLK-M",
    ]
    code, output = find("nunez")  # the search screen's folding: no accents needed
    assert code == 0 and "#1001  2026-11-21 01:41  José Núñez  unfulfilled  customer José Núñez" in output
    code, output = find("1z999aa")
    assert "tracking 1Z999AA10123456784" in output and "#1002" in output
    assert "cancelled" in find("bo", "chen")[1]


def test_an_order_number_comes_first_then_the_newest() -> None:
    code, output = find("1001")
    assert code == 0
    assert [line.split()[0] for line in output.splitlines()[1:]] == ["#1001", "#11001"]


def test_json_for_scripts() -> None:
    code, output = find("tee-bl", "--json")
    assert code == 0
    found = json.loads(output)
    assert [hit["order"] for hit in found] == ["#1002", "#1001"]
    assert found[1] == {
        "order": "#1001",
        "order_id": "gid://shopify/Order/1001",
        "placed": "2026-11-21T01:41:00+00:00",
        "customer": "José Núñez",
        "email": "jose@example.com",
        "status": "unfulfilled",
        "fulfillment_status": "UNFULFILLED",
        "financial_status": "PAID",
        "cancelled": False,
        "matched": "SKU TEE-BLK-M",
    }


def test_a_name_with_terminal_escapes_is_shown_not_obeyed() -> None:
    code, output = find("evil@")
    assert code == 0
    assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    assert "Evil\\x1b[2J\\x1b]0;pwned\\x07 \\u202eNamE" in output
    code, output = find("evil@", "--json")
    assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    (hit,) = json.loads(output)
    assert hit["customer"] == "Evil\\x1b[2J\\x1b]0;pwned\\x07 \\u202eNamE"  # escaped as sync read it


def test_no_match_says_so_and_exits_with_1() -> None:
    assert find("nobody-here") == (1, "no order matches 'nobody-here'\n")
    assert find("zz") == (1, "no order matches 'zz' (a whole order number, or 3 characters or more)\n")
    assert find("nobody-here", "--json") == (1, "[]\n")


def test_a_limit_keeps_the_newest_and_says_there_may_be_more() -> None:
    result = CliRunner().invoke(main, ["find", "example.com", "--limit", "1"])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()[1:]] == ["#1004"]
    assert "the newest 1 matches: narrow the search, or raise --limit" in result.stderr
