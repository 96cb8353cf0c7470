"""Settings: a TOML file in the user config dir, overridden by OMS_* environment variables.

The store token is a `SecretStr`: it prints as `**********` in `repr`, logs and tracebacks, and is
only unwrapped by the store client when it builds the request header.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from sqlalchemy.engine import make_url

APP_NAME = "oms-tui"
DEFAULT_API_VERSION = "2026-04"


def config_file() -> Path:
    """The TOML settings file: `OMS_CONFIG_FILE`, or `config.toml` in the user config dir."""
    explicit = os.environ.get("OMS_CONFIG_FILE")
    return Path(explicit) if explicit else Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_database_url() -> str:
    data_dir = Path(platformdirs.user_data_dir(APP_NAME))
    return f"sqlite:///{data_dir / 'cache.sqlite3'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMS_", extra="ignore")

    shop_url: str | None = Field(
        default=None,
        description="Store base URL, e.g. https://my-brand.myshopify.com; unset runs the embedded simulator",
    )
    shopify_token: SecretStr | None = Field(default=None, description="Admin API access token (secret)")
    api_version: str = Field(default=DEFAULT_API_VERSION, pattern=r"^\d{4}-\d{2}$|^unstable$")
    database_url: str = Field(default_factory=default_database_url)
    station: str = Field(default_factory=socket.gethostname, min_length=1)
    staff: str | None = Field(
        default=None, description="Staff code of the person signed in at this station (their role applies)"
    )
    poll_interval: float = Field(default=5.0, gt=0, description="Seconds between live polls")
    sla_hours: float = Field(default=24.0, gt=0, description="Hours from order to shipment before late")

    @field_validator("shop_url")
    @classmethod
    def _normalise_shop_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        value = value.strip().rstrip("/")
        if "://" not in value:
            value = f"https://{value}"
        return value

    @property
    def demo(self) -> bool:
        """No store configured: the app runs on the embedded simulator."""
        return self.shop_url is None

    def masked(self) -> dict[str, Any]:
        """The effective settings, safe to print: token and database password masked."""
        shown = self.model_dump(mode="json")
        shown["shopify_token"] = "**********" if self.shopify_token else None
        shown["database_url"] = make_url(self.database_url).render_as_string(hide_password=True)
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
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file())
        return (init_settings, env_settings, toml)
