"""`oms-tui rules test ORDER`: which of the settings' rules would fire on an order, and why."""

from __future__ import annotations

import click

from oms_tui.cli.errors import load_settings, one_line_errors
from oms_tui.plain_text import visible


@click.group()
def rules() -> None:
    """The managers' rules on orders ([[rules]] in the settings file)."""


@rules.command("test")
@click.argument("order")
@one_line_errors
def test_rules(order: str) -> None:
    """Show each rule's conditions on ORDER (a number, name or id): what each wants, what the order
    has, and what the rule would do. Changes nothing."""
    from oms_tui.cache.database import open_cache
    from oms_tui.cache.models import RuleFiring
    from oms_tui.floor.orders.lookup import NotFound, find_order
    from oms_tui.floor.rules.conditions import checks, load_view
    from oms_tui.floor_settings import FloorSettings

    settings = load_settings()
    written = FloorSettings(settings).order_rules
    if not written:
        raise click.ClickException("no rules in the settings: add [[rules]] tables (see the README)")
    cache = open_cache(settings.database_url, create=False)
    try:
        with cache.reads() as session:
            try:
                found = find_order(session, order)
            except NotFound as exc:
                raise click.ClickException(str(exc)) from None
            view = load_view(session, found)
            click.echo(f"{visible(found.name)} (version {found.updated_at:%Y-%m-%d %H:%M:%S} UTC)")
            for rule in written:
                seen = checks(rule, view)
                fired = session.get(RuleFiring, (rule.name, found.id, found.updated_at))
                if fired is not None:
                    verdict = "fired on this version already" + (
                        f": {'; '.join(fired.actions)}" if fired.actions else " (nothing to do)"
                    )
                elif all(check.holds for check in seen):
                    verdict = "would fire"
                else:
                    verdict = "does not match"
                click.echo(f"rule {rule.name!r}: {verdict}")
                for check in seen:
                    mark = "yes" if check.holds else "no"
                    click.echo(f"  {mark:3} {check.key}: {check.wanted}; the order: {visible(check.seen)}")
                actions = ", ".join(f"{key} {_shown(value)}" for key, value in rule.actions)
                click.echo(f"  then: {actions}")
    finally:
        cache.close()


def _shown(value: object) -> str:
    return ", ".join(value) if isinstance(value, tuple) else str(value)
