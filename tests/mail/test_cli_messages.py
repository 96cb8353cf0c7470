"""`oms-tui message`: prints the message; with --send sends it once through a real SMTP server;
bad input is one line and sends nothing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlmodel import select

from oms_tui.cache.database import open_cache
from oms_tui.cache.enums import MessageState
from oms_tui.cache.models import CustomerMessage
from oms_tui.cli import main
from tests.mail.shop import EMAIL, seed_order
from tests.mail.smtp_server import Keeper, smtp_server


@pytest.fixture
def shop(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    cache = open_cache(db_url)
    seed_order(cache)
    cache.close()
    monkeypatch.setenv("OMS_SHOP_URL", "http://127.0.0.1:1")  # never asked: nothing is synced here
    monkeypatch.setenv("OMS_SHOPIFY_TOKEN", "shpat_x")
    monkeypatch.setenv("OMS_SMTP_FROM", "Brand Shop <shop@brand.test>")
    monkeypatch.setenv("OMS_SMTP_STARTTLS", "false")
    return db_url


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def messages(db_url: str) -> list[CustomerMessage]:
    cache = open_cache(db_url)
    try:
        with cache.sessions() as session:
            return list(session.exec(select(CustomerMessage)))
    finally:
        cache.close()


def test_it_prints_the_message_and_sends_nothing(shop: str) -> None:
    code, out, _ = run("message", "1001", "--template", "address_problem")
    assert code == 0
    assert out.startswith(f"To: {EMAIL}\nSubject: Your order #1001: please check your delivery address\n")
    assert "  Rua Augusta 12\n" in out and not messages(shop)


def test_send_sends_once_and_says_so(shop: str, monkeypatch: pytest.MonkeyPatch) -> None:
    keeper = Keeper()
    with smtp_server(keeper) as (port, _):
        monkeypatch.setenv("OMS_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("OMS_SMTP_PORT", str(port))
        code, out, _ = run("message", "#1001", "--template", "delayed", "--send", "--staff", "S01")
    assert (code, out) == (0, f"message 1: sent to {EMAIL}\n")
    [received] = keeper.received
    [row] = messages(shop)
    assert received["Message-ID"] == row.message_id and row.state == MessageState.SENT


def test_a_lost_answer_exits_2_and_is_resent_only_when_asked(
    shop: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    keeper = Keeper(hang_up_after_data=True)
    with smtp_server(keeper) as (port, _):
        monkeypatch.setenv("OMS_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("OMS_SMTP_PORT", str(port))
        code, _, err = run("message", "1001", "--send", "--staff", "S01")
        assert code == 2 and "sent or not is unknown" in err and "not resent by itself" in err
        keeper.hang_up_after_data = False
        assert run("message-resend", "1", "--staff", "S01")[0] == 0
    first, second = keeper.received
    assert first["Message-ID"] == second["Message-ID"]
    code, _, err = run("message-mark-sent", "1", "--staff", "S01")
    assert code == 1 and err.strip().endswith("message 1 is sent: only a failed or unknown one is sent again")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("message", "1001", "--template", "sorry"), "--template 'sorry': no such template (there are: "),
        (("message", "9999"), "no order"),
        (("message", "1001", "--send"), "--staff CODE: a message is sent by someone"),
        (("message", "1001", "--send", "--staff", "P02"), "no mail server is set"),
    ],
    ids=["template", "order", "nobody", "no-mail-server"],
)
def test_bad_input_is_one_line_and_sends_nothing(shop: str, args: tuple[str, ...], said: str) -> None:
    code, _, err = run(*args)
    assert code == 1 and said in err and len(err.strip().splitlines()) == 1, err
    assert not messages(shop)
