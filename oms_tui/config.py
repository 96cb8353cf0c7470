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
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
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


DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CLOCK_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ShippingMethod(BaseModel):
    """A shipping method as the store names it: the carrier's service and what it promises."""

    model_config = ConfigDict(extra="forbid")

    carrier: str = Field(min_length=1)
    service: str = Field(min_length=1)
    cutoff: str = Field(pattern=CLOCK_TIME.pattern, description="The carrier's daily collection, HH:MM")
    delivery_days: int = Field(default=1, ge=0, le=60, description="Working days in transit")
    handling_days: int = Field(default=0, ge=0, le=30, description="Working days before the cut-off")


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
            data = tomllib.load(handle)
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
    if "rules" in data:
        _check_rules_in(path, data["rules"])
    return data


def _check_rules_in(path: Path, written: Any) -> None:
    """The settings' rules, checked with the file in hand: an error names its line."""
    from oms_tui.rules_settings import RuleError, check_rules, line_of

    try:
        check_rules(written if isinstance(written, list) else [written])
    except RuleError as exc:
        line = line_of(path.read_text(encoding="utf-8"), exc.index, exc.key)
        raise SettingsFileError(f"{path}{f', line {line}' if line else ''}: {exc}") from None


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
    reconcile_every_hours: float = Field(
        default=24.0,
        ge=0,
        le=24 * 31,
        description="Hours between the syncing station's own reconcile runs (cache against store); 0: never",
    )
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
    scale: str = Field(
        default="typed",
        pattern="^(typed|serial|hid)$",
        description="The pack bench's scale: typed (none), serial (NCI protocol) or hid (USB postal scale)",
    )
    scale_device: str | None = Field(
        default=None, description="The scale's device: /dev/ttyUSB0 (serial) or /dev/hidraw0 (hid)"
    )
    scale_baud: int = Field(default=9600, ge=300, le=115200, description="A serial scale's speed (baud)")
    scale_frame: str = Field(
        default="7E1",
        pattern="^[78][NEO][12]$",
        description="A serial scale's data bits, parity and stop bits, e.g. 7E1 or 8N1",
    )
    return_window_days: float = Field(
        default=30.0, gt=0, le=3650, description="Days from shipment within which a return may arrive"
    )
    warehouse_timezone: str = Field(
        default="UTC", description="The warehouse's time zone (cut-offs, working days), e.g. Europe/Berlin"
    )
    weekend: list[str] = Field(
        default_factory=lambda: ["saturday", "sunday"], description="Days the warehouse does not ship"
    )
    holidays: list[date] = Field(default_factory=list, description="Dates the warehouse does not ship")
    shipping_methods: dict[str, ShippingMethod] = Field(
        default_factory=dict,
        description='By the store\'s method name, as a table: [shipping_methods."UPS Ground"] with '
        'carrier, service, cutoff = "16:00", delivery_days',
    )
    rules: list[dict[str, Any]] = Field(
        default_factory=list, description="Rules run on each order as it arrives or changes ([[rules]])"
    )
    rules_staff: str | None = Field(
        default=None, description="The staff code the rules act as (its role's permissions); unset: nobody"
    )

    @field_validator("warehouse_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone like Europe/Berlin or America/New_York") from None
        return value

    @field_validator("weekend")
    @classmethod
    def _day_names(cls, value: list[str]) -> list[str]:
        folded = [day.strip().casefold() for day in value]
        for day in folded:
            if day not in DAY_NAMES:
                raise ValueError(f"{day!r} is not a day of the week like saturday")
        if len(set(folded)) == len(DAY_NAMES):
            raise ValueError("every day is a weekend day: the warehouse would never ship")
        return folded

    @field_validator("rules")
    @classmethod
    def _rules_as_written(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from oms_tui.rules_settings import check_rules  # the rules' own vocabulary

        check_rules(value)
        return value

    smtp_host: str | None = Field(
        default=None,
        description="The brand's mail server for messages to customers (unset: none; the demo: its own)",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="The mail server's port")
    smtp_starttls: bool = Field(default=True, description="Encrypt with STARTTLS before logging in")
    smtp_user: str | None = Field(default=None, description="The mailbox's user name")
    smtp_password: SecretStr | None = Field(
        default=None, description="The mailbox's password (secret; better OMS_SMTP_PASSWORD or a file)"
    )
    smtp_password_file: Path | None = Field(
        default=None, description="A file holding the mailbox's password, readable by its owner only"
    )
    smtp_from: str | None = Field(default=None, description='The From of messages: "Brand <shop@brand.com>"')
    smtp_ca_file: Path | None = Field(
        default=None, description="Certificates to trust for STARTTLS besides the system's (a private CA)"
    )
    message_templates: Path | None = Field(
        default=None,
        description="A folder of message templates (NAME.txt): replaces or adds to the built-in ones",
    )
    stock_location: str | None = Field(
        default=None,
        description="The location this station counts and moves stock at (name or id; default: the only one)",
    )
    count_tolerance: int = Field(
        default=0,
        ge=0,
        le=1000,
        description="Units a bin's count may differ from the records without a recount",
    )
    count_stale_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="A cycle count of stale bins takes those not counted in this many days",
    )
    replenish_minimum: int = Field(
        default=5,
        ge=0,
        le=100_000,
        description="Units below which a pick bin wants refilling (unless set per bin)",
    )
    # Shipping labels (oms_tui.carriers, oms_tui.floor.labels)
    label_api_key: SecretStr | None = Field(
        default=None,
        description="EasyPost API key (secret; or label_api_key_file); unset in the demo: the simulator's",
    )
    label_api_key_file: Path | None = Field(
        default=None, description="A file holding the EasyPost API key, readable by its owner only"
    )
    label_api_base: str = Field(
        default="https://api.easypost.com/v2", description="EasyPost API address (the demo sets its own)"
    )
    label_format: str = Field(
        default="PDF", pattern="^(PDF|ZPL)$", description="Label format: PDF (4x6) or ZPL (thermal printer)"
    )
    label_printer: str | None = Field(
        default=None, description="CUPS printer for labels (ZPL goes raw); unset: print_folder"
    )
    ship_from: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description='Return address per location name: [ship_from."Main Warehouse"] name, street1, '
        "city, state, zip, country, phone",
    )
    boxes: dict[str, list[float]] = Field(
        default_factory=lambda: {"small": [22.0, 16, 10], "medium": [30.0, 22, 15], "large": [40.0, 30, 20]},
        description="Box presets: name = [length, width, height] in cm",
    )
    label_delivery_days: dict[str, int] = Field(
        default_factory=dict,
        description='Most delivery days a shipping method promises, by its title: "UPS Ground" = 5',
    )
    label_default_weight_g: float = Field(
        default=500, gt=0, le=70_000, description="Parcel weight (g) when none is weighed or given"
    )
    label_max_days: int = Field(
        default=5, ge=1, le=30, description="Most delivery days for a shipping method not listed"
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

    @field_validator("boxes")
    @classmethod
    def _box_sizes(cls, value: dict[str, list[float]]) -> dict[str, list[float]]:
        for name, size in value.items():
            if len(size) != 3 or not all(0 < side <= 300 for side in size):
                raise ValueError(f"boxes.{name}: give [length, width, height] in cm, each 0-300")
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
        shown["smtp_password"] = "**********" if self.smtp_password else None
        shown["label_api_key"] = "**********" if self.label_api_key else None
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
