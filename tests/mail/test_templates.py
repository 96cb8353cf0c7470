"""Templates fill in the order's data; a mistake in one is one line naming the template and its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from oms_tui.cache.database import Cache
from oms_tui.cache.enums import ExceptionKind
from oms_tui.floor.messages.sending import draft
from oms_tui.floor.messages.templates import TemplateError, default_template, render, template_names
from tests.mail.shop import ORDER, seed_order


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    from oms_tui.cache.database import open_cache

    opened = open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}", create=True)
    seed_order(opened)
    return opened


def made(cache: Cache, template: str, folder: Path | None = None) -> tuple[str, str]:
    with cache.sessions() as session:
        message = draft(session, ORDER, template, folder=folder, shop="Brand Shop")
    return message.subject, message.body


def test_each_built_in_template_fills_in_the_order(cache: Cache) -> None:
    assert template_names(None) == ["address_problem", "delayed", "out_of_stock", "split_shipment"]
    subject, body = made(cache, "out_of_stock")
    assert subject == "Your order #1001: an item is out of stock"
    assert "  - 1 x Cap black (CAP-BLK)\n" in body and "Tee red" not in body  # only what is left
    assert "wait" in body and "refund" in body and body.rstrip().endswith("Brand Shop")
    subject, body = made(cache, "address_problem")
    assert "  Rua Augusta 12\n  1100-053 Lisboa\n  Portugal\n" in body
    subject, body = made(cache, "split_shipment")
    assert "with UPS: tracking number 1Z999AA10123456784" in body and "1 x Cap black" in body
    subject, body = made(cache, "delayed")
    assert "of 20 November 2026" in body and "by UPS Standard" in body


def test_the_template_follows_the_exception_and_the_order() -> None:
    assert default_template(ExceptionKind.SHORT_STOCK, False) == "out_of_stock"
    assert default_template(ExceptionKind.ADDRESS_PO_BOX, False) == "address_problem"
    assert default_template(ExceptionKind.SLA_BREACHED, True) == "delayed"
    assert default_template(None, True) == "split_shipment"


def test_the_shops_folder_replaces_and_adds_templates(cache: Cache, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "delayed.txt").write_text("Subject: Late: {{ order.name }}\nHi {{ customer.name }}!\n")
    (folder / "thanks.txt").write_text("Subject: Thanks\nThank you, {{ customer.first_name }}.\n")
    assert made(cache, "delayed", folder) == ("Late: #1001", "Hi Ana Lima!\n")
    assert made(cache, "thanks", folder) == ("Thanks", "Thank you, Ana.\n")
    assert "thanks" in template_names(folder)
    with pytest.raises(TemplateError, match=r"no message template 'sorry' \(there are: address_problem, "):
        made(cache, "sorry", folder)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Subject: Hi\nDear {{ customer.nmae }},\n",
            r"^template bad, line 2: 'dict object' has no attribute 'nmae'$",
        ),
        ("Subject: Hi\n\n{% for x in lines %}\n", r"^template bad, line 3: Unexpected end of template"),
        (
            "Subject: Hi\n{{ ''.__class__.__mro__ }}\n",
            r"^template bad, line 2: access to attribute '__class__'",
        ),
        ("Dear {{ customer.name }}\n", r"^template bad, line 1: it must start with 'Subject: \.\.\.'$"),
    ],
    ids=["misspelt-name", "syntax", "sandbox", "no-subject"],
)
def test_a_broken_template_is_one_line_naming_it_and_its_line(
    cache: Cache, tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "bad.txt").write_text(text)
    with pytest.raises(TemplateError, match=message) as raised:
        made(cache, "bad", tmp_path)
    assert "\n" not in str(raised.value)


def test_render_needs_no_cache() -> None:
    data = {"customer": {"name": "A"}, "order": {"name": "#1"}}
    with pytest.raises(TemplateError, match="template delayed, line 2"):
        render("delayed", data)
