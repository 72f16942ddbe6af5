"""A server's own settings: one table of keys that the config defaults, the store, the merge and ``/settings`` all read.

Each field of :class:`GuildConfig` is one key, and its metadata says everything about it:

* ``config`` — the ``[discord]`` setting (bot/settings.py) that is its default;
* ``codec`` — how it is kept in its ``guild_settings`` column (bot/store.py) and turned into
  the field's type, whether it comes from the store or the config file;
* ``label`` and ``show`` — its line in ``/settings show`` (bot/exts/guild.py); a key without a
  label is shown on another key's line.

A new per-server setting is one more field here, one more column in a store migration, and the
``/settings`` subcommand that changes it; the tests check that the table, the config and the
store agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .settings import DiscordSettings


@dataclass(frozen=True, slots=True)
class Codec:
    """One kind of value: to its column (``encode``), back (``decode``), and to the field's type (``value``)."""

    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]
    value: Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


#: Discord ids (channels, roles): a JSON list in the column, a frozenset in the config.
IDS = Codec(encode=lambda ids: json.dumps(sorted(ids)), decode=json.loads, value=frozenset)
#: Yes or no: an INTEGER column.
FLAG = Codec(encode=int, decode=bool, value=bool)
#: A number or an id as it is (None clears it).
PLAIN = Codec(encode=_same, decode=_same, value=_same)


@dataclass(frozen=True, slots=True)
class Key:
    name: str
    config: str
    codec: Codec
    label: str | None
    show: Callable[[GuildConfig], str]
    inline: bool


def _key(config: str, codec: Codec, label: str | None = None, show: Callable[[GuildConfig], str] | None = None, *, inline: bool = True) -> Any:
    return field(metadata={"key": (config, codec, label, show or (lambda _: ""), inline)})


def _mentions(ids: frozenset[int], form: str, empty: str) -> str:
    return ", ".join(form.format(i) for i in sorted(ids)) or empty


@dataclass(frozen=True, slots=True)
class GuildConfig:
    """A server's effective settings: its ``/settings`` overrides over the config file's defaults."""

    ask_channels: frozenset[int] = _key(
        "ask_channels", IDS, "Ask channels",
        lambda c: _mentions(c.ask_channels, "<#{}>", "none (mentions and /ask only)"), inline=False,
    )
    # Role ids, never names: a name can be copied by anyone who can create roles (see bot/roles.py).
    moderator_role_ids: frozenset[int] = _key(
        "moderator_roles", IDS, "Moderator roles",
        lambda c: _mentions(c.moderator_role_ids, "<@&{}>", "none (Manage Server only)"), inline=False,
    )
    cooldown_questions: int = _key(
        "cooldown_questions", PLAIN, "Cooldown", lambda c: f"{c.cooldown_questions} questions per {c.cooldown_seconds:g} s"
    )
    cooldown_seconds: float = _key("cooldown_seconds", PLAIN)  # shown on the cooldown's line
    threads: bool = _key("threads", FLAG, "Answers in threads", lambda c: "yes" if c.threads else "no")
    moderator_channel: int | None = _key(
        "moderator_channel", PLAIN, "Moderator channel", lambda c: f"<#{c.moderator_channel}>" if c.moderator_channel else "none"
    )


KEYS: tuple[Key, ...] = tuple(Key(f.name, *f.metadata["key"]) for f in fields(GuildConfig))
BY_NAME: Mapping[str, Key] = {key.name: key for key in KEYS}


def effective(defaults: DiscordSettings, overrides: Mapping[str, Any], *, role_ids: frozenset[int]) -> GuildConfig:
    """A server's settings: what it stored (decoded, see :mod:`bot.store`) over the config file's.
    The config's moderator roles may be names, so the ids they stand for in this server come as
    ``role_ids`` (resolved once per server, see bot/roles.py)."""
    values = {key.name: getattr(defaults, key.config) for key in KEYS} | {"moderator_role_ids": role_ids}
    values |= overrides
    return GuildConfig(**{name: BY_NAME[name].codec.value(value) for name, value in values.items()})
