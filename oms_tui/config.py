"""Settings: a TOML file in the user config dir, overridden by OMS_* environment variables.

The store token is a `SecretStr`: it prints as `**********` in `repr`, logs and tracebacks, and is
only unwrapped by the store client when it builds the request header.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

APP_NAME = "oms-tui"
DEFAULT_API_VERSION = "2026-04"
API_VERSION_SHAPE = re.compile(r"^\d{4}-(01|04|07|10)$|^unstable$")  # Shopify releases quarterly
_HOST_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_URL_PASSWORD = re.compile(r"(://[^/?#@:\s]*:)[^/?#@\s]*@")
_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&#\s]*")  # libpq takes one in the query too
BINDING_ID = re.compile(r"^[a-z_]+\.[a-z_]+$")
KEY_LIST = re.compile(
    r"^[a-z0-9_+-]+(,[a-z0-9_+-]+)*$"
)  # Textual's key names: "ctrl+k", "f2", "question_mark"
SUPPORTED_DATABASES = "sqlite:///path/cache.sqlite3 or postgresql://user@host/db"
# SQLite (built in) and PostgreSQL through psycopg 3 (a dependency); other drivers are not installed.
_DATABASE_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql", "postgres", "postgresql+psycopg")


class SettingsFileError(Exception):
    """The settings file is missing (when named explicitly), unreadable or not valid TOML."""


def config_file() -> Path:
    """The TOML settings file: `OMS_CONFIG_FILE`, or `config.toml` in the user config dir."""
    explicit = os.environ.get("OMS_CONFIG_FILE")
    return Path(explicit) if explicit else Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def read_config_file(path: Path) -> dict[str, Any]:
    """The settings in the TOML file at `path`; raises SettingsFileError when it cannot be read.

    The default file may be absent (no settings yet); one named by `OMS_CONFIG_FILE` must exist.
    """
    if not path.exists() and not os.environ.get("OMS_CONFIG_FILE"):
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise SettingsFileError(f"{path}: no such settings file (named by OMS_CONFIG_FILE)") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsFileError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:  # a binary file, or text in another encoding
        raise SettingsFileError(
            f"{path}: not a TOML text file (byte {exc.object[exc.start]:#04x} at offset {exc.start} "
            "is not UTF-8)"
        ) from None
    except OSError as exc:
        raise SettingsFileError(f"{path}: cannot read it: {exc.strerror or exc}") from None


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine (`localhost`, 127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def hide_password(text: str) -> str:
    """`text` with the password of every URL in it (`scheme://user:password@host`) shown as ***."""
    return _QUERY_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", text))


def check_shop_url(url: str, shown: str | None = None) -> str:
    """`url` if the token may be sent there, else a one-line ValueError naming it (or `shown`)."""
    name = repr(hide_password(shown or url))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, or over 65535
        port = 0
    if port == 0:
        raise ValueError(f"{name}: the port must be a number from 1 to 65535")
    host = parts.hostname or ""
    if parts.username is not None or parts.password is not None:  # sent with every request, and logged
        raise ValueError(
            f"{name}: remove the user name and password from the address; the store token goes "
            "in shopify_token (OMS_SHOPIFY_TOKEN)"
        )
    if parts.scheme not in ("https", "http") or not _valid_host(host):
        raise ValueError(f"{name} is not a shop address like my-brand.myshopify.com")
    if parts.scheme == "http" and not is_loopback(host):
        raise ValueError(f"refusing to send the store token to {url} over plain http://: use https://")
    return url


def _valid_host(host: str) -> bool:
    """A loopback or IP address, or a DNS name with a dot (a bare word is a typo, not a shop)."""
    if is_loopback(host):
        return True
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.split(".")
    return len(labels) > 1 and all(_HOST_LABEL.match(label) for label in labels) and not labels[-1].isdigit()


def default_database_url() -> str:
    data_dir = Path(platformdirs.user_data_dir(APP_NAME))
    return f"sqlite:///{data_dir / 'cache.sqlite3'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMS_", extra="forbid", allow_inf_nan=False)

    shop_url: str | None = Field(
        default=None,
        description="Store base URL, e.g. https://my-brand.myshopify.com; unset runs the embedded simulator",
    )
    shopify_token: SecretStr | None = Field(default=None, description="Admin API access token (secret)")
    api_version: str = Field(default=DEFAULT_API_VERSION, description="Admin API version, e.g. 2026-04")
    database_url: str = Field(default_factory=default_database_url)
    listen_url: str | None = Field(
        default=None,
        description="PostgreSQL: the same database without a pooler in transaction mode in between "
        "(PgBouncer), for listening to other stations and the sync lock; by default database_url",
    )
    station: str = Field(default_factory=socket.gethostname, min_length=1)
    staff: str | None = Field(
        default=None, description="Staff code of the person signed in at this station (their role applies)"
    )
    poll_interval: float = Field(default=5.0, gt=0, le=3600, description="Seconds between live polls")
    sla_hours: float = Field(
        default=24.0, gt=0, le=24 * 365, description="Hours from order to shipment before late"
    )
    carrier: str = Field(default="UPS", min_length=1, description="The carrier the floor ships with")
    pick_walk: str = Field(
        default="natural",
        pattern="^(natural|serpentine)$",
        description="Walking order in an aisle: natural (every aisle from its low end) or serpentine",
    )
    pick_zones: list[str] = Field(
        default_factory=list,
        description='Aisles walked first, in this order (e.g. ["C", "A"]); others follow',
    )
    pick_batch: int = Field(default=3, ge=1, le=50, description="Orders the pick screen's new batch claims")
    claim_lease_minutes: float = Field(
        default=10.0, gt=0, le=24 * 60, description="Minutes a claim lasts unless its station renews it"
    )
    shop_name: str | None = Field(
        default=None, description="The shop's name on packing slips (unset: the shop's address)"
    )
    printer: str | None = Field(
        default=None, description="CUPS printer (`lp -d`) for slips and pick lists; unset: print_folder"
    )
    print_folder: Path = Field(
        default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)) / "prints",
        description="Where PDFs go when no printer is set, and where a failed print is kept",
    )
    paper: str = Field(default="a4", pattern="^(a4|letter)$", description="Pick lists' paper: a4 or letter")
    slip_paper: str | None = Field(
        default=None,
        pattern="^(a4|letter|4x6)$",
        description="Paper for packing slips: a4, letter or 4x6 (thermal label); unset: as paper",
    )
    slip_note: str = Field(
        default="Thank you for your order! Questions or returns: reply to your order confirmation.",
        description="The note to the customer at the foot of every packing slip",
    )
    scan_gap_ms: float = Field(
        default=40.0,
        ge=0,
        le=1000,  # a pause of a second is a person typing, whatever the scanner
        description="Longest pause between a barcode scanner's keys (ms); more for slow Bluetooth "
        "scanners; 0: no scanner, every key is typing",
    )
    scan_min_length: int = Field(default=3, ge=1, le=100, description="Fewest characters a scan has")
    idle_signout_minutes: float = Field(
        default=15.0,
        ge=0,
        le=24 * 60,
        description="Sign the person out after this long without a key; 0: never",
    )
    keys: dict[str, str] = Field(
        default_factory=dict,
        description='Keys remapped by binding id, as a [keys] table: "queue.claim" = "ctrl+c,c" '
        "(the README lists the ids)",
    )
    return_window_days: float = Field(
        default=30.0, gt=0, le=3650, description="Days from shipment within which a return may arrive"
    )

    @field_validator("keys")
    @classmethod
    def _key_names(cls, value: dict[str, str]) -> dict[str, str]:
        for binding, keys in value.items():
            if not BINDING_ID.match(binding):
                raise ValueError(f"keys: {binding!r} is not a binding id like queue.claim")
            if not KEY_LIST.match(keys):
                raise ValueError(f'keys.{binding}: {keys!r} is not a key list like "ctrl+k" or "c,ctrl+k"')
        return value

    @field_validator("shop_url")
    @classmethod
    def _normalise_shop_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        given = value.strip()
        url = given.rstrip("/") if "://" in given else f"https://{given.rstrip('/')}"
        return check_shop_url(url, shown=given)

    @field_validator("api_version")
    @classmethod
    def _known_version_shape(cls, value: str) -> str:
        if not API_VERSION_SHAPE.match(value):
            raise ValueError(
                f"{value!r} is not an API version like {DEFAULT_API_VERSION} (quarterly, or unstable)"
            )
        return value

    @field_validator("database_url", "listen_url")
    @classmethod
    def _supported_database_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            url = make_url(value)
        except ArgumentError:  # the URL is not repeated: it may hold a password
            raise ValueError(f"not a database URL like {SUPPORTED_DATABASES}") from None
        if url.drivername not in _DATABASE_DRIVERS:
            raise ValueError(f"{url.drivername}:// databases are not supported: use {SUPPORTED_DATABASES}")
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            raise ValueError(
                f"{value!r} is a database in memory, forgotten when oms-tui ends: name a file, like "
                "sqlite:///path/cache.sqlite3"
            )
        return value

    @property
    def demo(self) -> bool:
        """No store configured: the app runs on the embedded simulator."""
        return self.shop_url is None

    def masked(self) -> dict[str, Any]:
        """The effective settings, safe to print: token and database password masked."""
        shown = self.model_dump(mode="json")
        shown["shopify_token"] = "**********" if self.shopify_token else None
        shown["database_url"] = hide_password(
            make_url(self.database_url).render_as_string(hide_password=True)
        )
        if self.listen_url:
            listen = make_url(self.listen_url).render_as_string(hide_password=True)
            shown["listen_url"] = hide_password(listen)
        return shown

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Highest priority first: explicit arguments, then the environment, then the TOML file.
        toml = InitSettingsSource(settings_cls, init_kwargs=read_config_file(config_file()))
        return (init_settings, env_settings, toml)
