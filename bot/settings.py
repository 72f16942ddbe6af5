"""Settings: the TOML config file, overridden by ``NEWSDESK_<SECTION>__<KEY>`` variables; secrets only from the environment.

Built once at start-up by :func:`load_settings` and passed to whatever needs them. Where the
config file is found: ``--config PATH``, else ``$NEWSDESK_CONFIG``, else ``config/newsdesk.toml``
in the current directory or the nearest parent that has one. Relative paths inside a config
file resolve against that file's project (the folder holding ``config/``), so the bot finds
its corpus whatever directory it is started from.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from index.errors import NewsdeskError

from .store import SERVER_SCHEMES

if TYPE_CHECKING:
    from index.abstractive import Endpoint
    from index.engine import Backend
    from index.ingest import FetchPolicy

CONFIG_ENV = "NEWSDESK_CONFIG"
TOKEN_ENV = "DISCORD_TOKEN"
DEFAULT_CONFIG = Path("config") / "newsdesk.toml"


class ConfigError(NewsdeskError):
    """The configuration is invalid; the message names the key and what it expects."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CorpusSettings(_Section):
    folders: list[Path] = Field(default_factory=lambda: [Path("seeds")], min_length=1)


class ShardSettings(_Section):
    """One Xapian shard: ``host:port`` of its read-only ``xapian-tcpsrv`` and of its writable one."""

    read: str
    write: str

    @field_validator("read", "write")
    @classmethod
    def _address(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be host:port")
        return value


class IndexSettings(_Section):
    state_dir: Path = Path(".newsdesk")
    engine: Literal["tantivy", "xapian"] = "tantivy"
    shards: list[ShardSettings] = Field(default_factory=list)
    timeout_seconds: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _shards_for_xapian(self) -> IndexSettings:
        if self.engine == "xapian" and not self.shards:
            raise ValueError('engine = "xapian" needs at least one entry in index.shards')
        return self


class AnswerSettings(_Section):
    top: int = Field(default=3, ge=1, le=10)
    workers: int = Field(default=4, ge=1, le=32)
    time_budget_seconds: float = Field(default=30.0, gt=0)


class DiscordSettings(_Section):
    api_base: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    ask_channels: list[int] = Field(default_factory=list)
    # Role ids, or names resolved to ids once per server at start (see bot/roles.py).
    moderator_roles: list[int | str] = Field(default_factory=lambda: list[int | str](["Moderator"]))
    cooldown_questions: int = Field(default=3, ge=1)
    cooldown_seconds: float = Field(default=30.0, ge=0)
    sync_guild: int | None = None
    moderator_channel: int | None = None
    threads: bool = False
    message_content: bool = True
    # Example questions /about offers; set ones your own coverage answers.
    examples: list[str] = Field(
        default_factory=lambda: [
            "What did Rutte say about NATO?",
            "How many civilians were killed in the Sumy strike?",
            "Who is the US special envoy?",
        ],
        max_length=5,
    )
    # Sharding: this process holds shards `shard_ids` (default: all) of `shard_count`; unset = one unsharded connection.
    shard_ids: list[int] | None = None
    shard_count: int | None = Field(default=None, ge=1)
    # Discord allows one IDENTIFY per bucket per this many seconds; the identify gate spaces them so.
    identify_window_seconds: float = Field(default=5.0, gt=0)

    @field_validator("api_base", "gateway_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://", "ws://", "wss://")):
            raise ValueError("must be an http(s):// or ws(s):// URL")
        return value.rstrip("/") if value.startswith("http") else value

    @model_validator(mode="after")
    def _shards(self) -> DiscordSettings:
        if self.shard_ids is None:
            return self
        if self.shard_count is None:
            raise ValueError("shard_ids needs shard_count (how many shards the bot has in all)")
        if not self.shard_ids:
            raise ValueError("shard_ids is empty; leave it unset to hold every shard")
        if duplicated := sorted({i for i in self.shard_ids if self.shard_ids.count(i) > 1}):
            raise ValueError(f"shard_ids lists {duplicated} more than once")
        if outside := [i for i in self.shard_ids if not 0 <= i < self.shard_count]:
            raise ValueError(f"shard_ids {outside} not in 0..{self.shard_count - 1} (shard_count is {self.shard_count})")
        return self


class IngestSettings(_Section):
    folder: Path | None = None
    max_bytes: int = Field(default=5_000_000, ge=10_000)
    timeout_seconds: float = Field(default=20.0, gt=0)
    allow_private: bool = False
    user_agent: str = "newsdesk/0.1 (news question bot)"


class FeedSettings(_Section):
    urls: list[str] = Field(default_factory=list)
    interval_minutes: float = Field(default=60.0, ge=0)

    @field_validator("urls")
    @classmethod
    def _http(cls, value: list[str]) -> list[str]:
        for url in value:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"{url!r} is not an http(s):// URL")
        return value


class SummarySettings(_Section):
    abstractive: bool = False
    url: str = "https://api.openai.com/v1/chat/completions"
    model: str = "gpt-4o-mini"
    api_key_env: str = "OPENAI_API_KEY"
    timeout_seconds: float = Field(default=20.0, gt=0)

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s):// URL")
        return value


class StoreSettings(_Section):
    retention_days: float = Field(default=90.0, ge=0)
    # A PostgreSQL server (postgresql://user@host:port/database); unset: SQLite in state_dir.
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _server(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(SERVER_SCHEMES):
            raise ValueError("must be a postgresql:// URL (leave it unset for the SQLite file in index.state_dir)")
        return value


class HttpSettings(_Section):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)


class ScheduleSettings(_Section):
    refresh_minutes: float = Field(default=0.0, ge=0)
    stale_hours: float = Field(default=72.0, ge=0)


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Settings(BaseSettings):
    """Every setting of newsdesk; see ``config/newsdesk.toml`` for each one's meaning."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSDESK_", env_nested_delimiter="__", extra="forbid", frozen=True, populate_by_name=True
    )

    corpus: CorpusSettings = CorpusSettings()
    index: IndexSettings = IndexSettings()
    answers: AnswerSettings = AnswerSettings()
    discord: DiscordSettings = DiscordSettings()
    summary: SummarySettings = SummarySettings()
    ingest: IngestSettings = IngestSettings()
    feeds: FeedSettings = FeedSettings()
    store: StoreSettings = StoreSettings()
    http: HttpSettings = HttpSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    logging: LoggingSettings = LoggingSettings()
    # Secrets: read from the environment only, never from a file, never logged.
    discord_token: SecretStr | None = Field(default=None, validation_alias=TOKEN_ENV, exclude=True)
    #: The folder relative paths resolve against.
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)
    config_file: Path | None = Field(default=None, exclude=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment overrides the file (the file's values arrive as init arguments).
        return env_settings, init_settings

    def with_shards(self, shard_ids: list[int] | None, shard_count: int | None) -> Settings:
        """These settings with the shards given on the command line (None keeps the configured value);
        raises :class:`ConfigError` when the combination is invalid."""
        chosen = {"shard_ids": shard_ids, "shard_count": shard_count}
        values = {**self.discord.model_dump(), **{k: v for k, v in chosen.items() if v is not None}}
        try:
            discord = DiscordSettings(**values)
        except ValidationError as exc:
            raise ConfigError(_describe(exc, None, prefix="discord")) from None
        return self.model_copy(update={"discord": discord})

    def path(self, value: Path) -> Path:
        """A configured path, resolved against the config file's project."""
        return value if value.is_absolute() else (self.base_dir / value).resolve()

    @property
    def corpus_folders(self) -> list[Path]:
        return [self.path(folder) for folder in self.corpus.folders]

    @property
    def state_dir(self) -> Path:
        return self.path(self.index.state_dir)

    @property
    def store_location(self) -> Path | str:
        """Where the state is: ``store.url`` (PostgreSQL), else ``newsdesk.db`` in the state folder."""
        return self.store.url or self.state_dir / "newsdesk.db"

    @property
    def ingest_folder(self) -> Path:
        """Where added articles are saved: ``ingest.folder``, else the first corpus folder."""
        return self.path(self.ingest.folder) if self.ingest.folder else self.corpus_folders[0]

    def backend(self, scheduler: str | None = None) -> Backend:
        """How the index keeps its passages (``index.engine``); ``scheduler`` runs a Xapian build on Dask."""
        if self.index.engine == "tantivy":
            from index.tantivy_engine import TANTIVY

            if scheduler is not None:
                raise ConfigError('A Dask build is for Xapian shards: set index.engine = "xapian" and index.shards.')

            return TANTIVY
        from index.xapian_engine import Address, Shard, XapianBackend  # only when used: it needs python3-xapian

        def address(value: str) -> Address:
            host, _, port = value.rpartition(":")
            return Address(host, int(port))

        shards = tuple(Shard(address(s.read), address(s.write)) for s in self.index.shards)
        return XapianBackend(shards, self.index.timeout_seconds, scheduler)

    def fetch_policy(self) -> FetchPolicy:
        from index.ingest import FetchPolicy

        return FetchPolicy(
            max_bytes=self.ingest.max_bytes,
            timeout=self.ingest.timeout_seconds,
            allow_private=self.ingest.allow_private,
            user_agent=self.ingest.user_agent,
        )

    def summary_endpoint(self, environ: Mapping[str, str] | None = None) -> Endpoint | None:
        """The abstractive endpoint when it is switched on (its key read from the named variable)."""
        if not self.summary.abstractive:
            return None
        from index.abstractive import Endpoint  # only when used: it brings aiohttp

        environ = os.environ if environ is None else environ
        return Endpoint(
            self.summary.url, self.summary.model, environ.get(self.summary.api_key_env), self.summary.timeout_seconds
        )


def find_config(explicit: Path | None, environ: Mapping[str, str]) -> Path | None:
    """The config file to use (see the module docstring), or None to run on defaults."""
    if explicit is not None:
        return explicit
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    here = Path.cwd()
    for folder in (here, *here.parents):
        candidate = folder / DEFAULT_CONFIG
        if candidate.is_file():
            return candidate
    return None


def _project_of(config: Path) -> Path:
    folder = config.resolve().parent
    return folder.parent if folder.name == "config" else folder


def load_settings(config: Path | None = None, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build the settings; raises :class:`ConfigError` naming the bad key."""
    environ = os.environ if environ is None else environ
    path = find_config(config, environ)
    data: dict[str, Any] = {}
    base = Path.cwd()
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"Config file {path} does not exist.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Config file {path} cannot be read: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"Config file {path} is not valid TOML: {exc}") from None
        base = _project_of(path)
        for secret in ("discord_token", "token", TOKEN_ENV):
            if secret in data or secret in data.get("discord", {}):
                raise ConfigError(
                    f"{path}: `{secret}` must not be in a config file; set the {TOKEN_ENV} environment variable instead."
                )
        if _has_password(data.get("store", {}).get("url")):
            raise ConfigError(
                f"{path}: store.url must not hold a password; put it in PGPASSWORD or ~/.pgpass,"
                " or set the whole URL in NEWSDESK_STORE__URL."
            )
    for section, values in overrides.items():
        data.setdefault(section, {}).update(values)
    try:
        return Settings(**data, base_dir=base, config_file=path)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None


def _has_password(url: object) -> bool:
    """Whether a PostgreSQL URL carries a password (``user:password@`` or ``?password=``)."""
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return bool(parts.password) or "password" in parse_qs(parts.query)


def _describe(error: ValidationError, path: Path | None, prefix: str | None = None) -> str:
    where = f"{path}: " if path else ""
    problems = []
    for item in error.errors()[:5]:
        key = ".".join(str(part) for part in (prefix, *item["loc"]) if part is not None) or "(top level)"
        if item["type"] == "extra_forbidden":
            problems.append(f"{key}: unknown setting (check the spelling against config/newsdesk.toml)")
            continue
        got = item.get("input")
        shown = f" (got {got!r})" if got is not None and not isinstance(got, dict | list) else ""
        message = item["msg"].removeprefix("Value error, ")  # pydantic's wording for a validator's own message
        problems.append(f"{key}: {message.rstrip('.')}{shown}")
    return where + "invalid configuration — " + "; ".join(problems)
