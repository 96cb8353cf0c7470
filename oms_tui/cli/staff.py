"""`oms-tui staff`: the people who work the floor; add, list, change a role, deactivate who left."""

from __future__ import annotations

import click

from oms_tui.cache.models import Role
from oms_tui.cli.errors import load_settings, one_line_errors
from oms_tui.cli.session import cache_session
from oms_tui.floor.actions.staff import StaffError, add_staff, change_role, deactivate, everyone
from oms_tui.plain_text import visible

ROLES = click.Choice([role.value for role in Role])


@click.group()
def staff() -> None:
    """Manage the people who work the floor."""


@staff.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--role", required=True, type=ROLES, help="What they do")
@one_line_errors
def staff_add(code: str, name: str, role: str) -> None:
    """Add a person with a short CODE (what they scan or type) and a NAME."""
    settings = load_settings()
    with cache_session(settings) as session:
        try:
            person = add_staff(session, code, name, Role(role), station=settings.station)
        except StaffError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        click.echo(f"added {person.code} {visible(person.name)} ({person.role.value})")


@staff.command("list")
@one_line_errors
def staff_list() -> None:
    """Everyone registered: code, role, name, and who is no longer active."""
    with cache_session(load_settings(), read_only=True) as session:
        people = everyone(session)
    if not people:
        click.echo("nobody yet: add people with `oms-tui staff add CODE NAME --role ROLE`")
    for person in people:
        state = "" if person.active else "  (inactive)"
        click.echo(f"{person.code:<12} {person.role.value:<8} {visible(person.name)}{state}")


@staff.command("deactivate")
@click.argument("code")
@one_line_errors
def staff_deactivate(code: str) -> None:
    """CODE no longer works here: their badge signs nobody in and their claims lapse."""
    settings = load_settings()
    with cache_session(settings) as session:
        try:
            person = deactivate(session, code, station=settings.station)
        except StaffError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        click.echo(f"deactivated {person.code} {visible(person.name)}; their claims lapsed")


@staff.command("role")
@click.argument("code")
@click.argument("role", type=ROLES)
@one_line_errors
def staff_role(code: str, role: str) -> None:
    """Give CODE another ROLE (picker, packer, manager, support)."""
    settings = load_settings()
    with cache_session(settings) as session:
        try:
            person = change_role(session, code, Role(role), station=settings.station)
        except StaffError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        click.echo(f"{person.code} {visible(person.name)} is now a {person.role.value}")
