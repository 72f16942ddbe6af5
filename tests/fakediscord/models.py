"""The fake server's world (users, guilds, channels, roles) and its records of what the bot did."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]

# Permission bits the default world and the checks in rest.py use.
KICK_MEMBERS = 1 << 1
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
# Owners and administrators get every bit; the exact width does not matter to a bot testing flags.
ALL_PERMISSIONS = (1 << 53) - 1

EPHEMERAL = 1 << 6
LOADING = 1 << 7
COMPONENTS_V2 = 1 << 15

_DISCORD_EPOCH_MS = 1420070400000
_counter = itertools.count(1)


def snowflake() -> int:
    """A real-looking snowflake: discord.py derives created_at from it, so it encodes the current time."""
    return ((int(time.time() * 1000) - _DISCORD_EPOCH_MS) << 22) | (next(_counter) & 0x3FFFFF)


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends a server's events to."""
    return (guild_id >> 22) % shard_count


def guild_id_on_shard(shard_id: int, shard_count: int) -> int:
    """A fresh guild snowflake that falls on shard `shard_id` of `shard_count`: its timestamp, moved back
    by less than `shard_count` milliseconds, is the part the shard is taken from."""
    if not 0 <= shard_id < shard_count:
        raise ValueError(f"shard {shard_id} is not one of {shard_count} shards")
    stamp = int(time.time() * 1000) - _DISCORD_EPOCH_MS
    stamp -= (stamp - shard_id) % shard_count
    return (stamp << 22) | (next(_counter) & 0x3FFFFF)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(eq=False)
class User:
    id: int
    username: str
    bot: bool = False

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def to_dict(self) -> Json:
        return {"id": str(self.id), "username": self.username, "global_name": self.username,
                "discriminator": "0", "avatar": None, "bot": self.bot, "public_flags": 0}


@dataclass(eq=False)
class Role:
    id: int
    name: str
    permissions: int = 0
    position: int = 0
    mentionable: bool = False
    managed: bool = False

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def to_dict(self) -> Json:
        return {"id": str(self.id), "name": self.name, "permissions": str(self.permissions),
                "position": self.position, "color": 0, "colors": {"primary_color": 0}, "hoist": False,
                "managed": self.managed, "mentionable": self.mentionable, "flags": 0, "icon": None}


@dataclass(eq=False)
class Channel:
    id: int
    name: str
    guild_id: int
    position: int = 0
    type: int = 0  # GUILD_TEXT; 11 = PUBLIC_THREAD
    parent_id: int | None = None  # for threads: the channel they were started in
    owner_id: int | None = None

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def to_dict(self) -> Json:
        data: Json = {"id": str(self.id), "type": self.type, "guild_id": str(self.guild_id), "name": self.name,
                      "position": self.position, "permission_overwrites": [], "nsfw": False, "topic": None,
                      "parent_id": str(self.parent_id) if self.parent_id else None, "last_message_id": None,
                      "rate_limit_per_user": 0, "flags": 0}
        if self.type == 11:
            data.update({"owner_id": str(self.owner_id), "message_count": 0, "member_count": 1,
                         "thread_metadata": {"archived": False, "auto_archive_duration": 1440,
                                             "archive_timestamp": iso_now(), "locked": False}})
        return data


@dataclass(eq=False)
class Member:
    user: User
    guild: Guild
    roles: list[Role] = field(default_factory=list)
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def mention(self) -> str:
        return self.user.mention

    @property
    def permissions(self) -> int:
        """Guild-level permissions, computed the way Discord does (channel overwrites are not modelled)."""
        if self.user.id == self.guild.owner_id:
            return ALL_PERMISSIONS
        perms = self.guild.everyone_role.permissions
        for role in self.roles:
            perms |= role.permissions
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def to_dict(self, *, with_user: bool = True, with_permissions: bool = False) -> Json:
        data: Json = {"roles": [str(r.id) for r in self.roles], "joined_at": self.joined_at, "nick": None,
                      "avatar": None, "deaf": False, "mute": False, "flags": 0, "pending": False}
        if with_user:
            data["user"] = self.user.to_dict()
        if with_permissions:
            data["permissions"] = str(self.permissions)
        return data


@dataclass(eq=False)
class Guild:
    id: int
    name: str
    owner_id: int = 0
    roles: list[Role] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)

    @property
    def everyone_role(self) -> Role:
        return next(r for r in self.roles if r.id == self.id)

    def role(self, name_or_id: str | int) -> Role:
        return next(r for r in self.roles if name_or_id in (r.name, r.id))

    def channel(self, name_or_id: str | int) -> Channel:
        return next(c for c in self.channels if name_or_id in (c.name, c.id))

    def member(self, user_id: int) -> Member | None:
        return next((m for m in self.members if m.id == user_id), None)

    def to_dict(self) -> Json:
        return {"id": str(self.id), "name": self.name, "owner_id": str(self.owner_id), "unavailable": False,
                "icon": None, "features": [], "emojis": [], "stickers": [], "threads": [], "presences": [],
                "voice_states": [], "stage_instances": [], "guild_scheduled_events": [], "large": False,
                "member_count": len(self.members), "joined_at": iso_now(), "preferred_locale": "en-US",
                "roles": [r.to_dict() for r in self.roles], "channels": [c.to_dict() for c in self.channels],
                "members": [m.to_dict() for m in self.members], "system_channel_id": None,
                "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
                "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0}


@dataclass(eq=False)
class StoredMessage:
    """A message as the fake holds it: `data` is exactly what the bot gets back from the API."""

    data: Json
    pings: set[str] = field(default_factory=set)
    ephemeral: bool = False
    files: list[tuple[str, bytes]] = field(default_factory=list)  # every upload: (filename, bytes)
    history: list[Json] = field(default_factory=list)  # earlier versions of `data`, oldest first
    deleted: bool = False

    @property
    def id(self) -> int:
        return int(self.data["id"])

    @property
    def channel_id(self) -> int:
        return int(self.data["channel_id"])

    @property
    def author_id(self) -> int:
        return int(self.data["author"]["id"])

    @property
    def content(self) -> str:
        return self.data.get("content") or ""

    @property
    def embeds(self) -> list[Json]:
        return self.data.get("embeds") or []

    @property
    def components(self) -> list[Json]:
        return self.data.get("components") or []

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def attachments(self) -> list[Json]:
        return self.data.get("attachments") or []

    def find_component(self, custom_id: str) -> Json | None:
        return next((c for c in walk_components(self.components) if c.get("custom_id") == custom_id), None)

    def __repr__(self) -> str:
        kind = "ephemeral " if self.ephemeral else ""
        return f"<StoredMessage {kind}id={self.id} content={self.content[:60]!r} embeds={len(self.embeds)}>"


def walk_components(components: list[Json]) -> list[Json]:
    """Every component in a tree (rows, sections, containers, labels), depth first."""
    out: list[Json] = []
    for comp in components:
        out.append(comp)
        children = list(comp.get("components") or [])
        for key in ("component", "accessory"):
            if isinstance(comp.get(key), dict):
                children.append(comp[key])
        out.extend(walk_components(children))
    return out


@dataclass
class Callback:
    """One accepted POST /interactions/{id}/{token}/callback."""

    type: int
    data: Json

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & EPHEMERAL)


@dataclass(eq=False)
class FakeInteraction:
    """An INTERACTION_CREATE the fake dispatched, and everything the bot did in answer."""

    payload: Json
    dispatched_at: float  # time.monotonic(); Discord's 3 s acknowledgement window starts here
    callback: Callback | None = None
    original: StoredMessage | None = None  # the response message (for components: the clicked message)
    followups: list[StoredMessage] = field(default_factory=list)
    _answered: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def token(self) -> str:
        return str(self.payload["token"])

    @property
    def type(self) -> int:
        return int(self.payload["type"])

    @property
    def acked(self) -> bool:
        return self.callback is not None

    @property
    def ephemeral(self) -> bool:
        return self.callback is not None and self.callback.ephemeral

    async def wait_callback(self, timeout: float = 5.0) -> Callback:
        """The bot's acknowledgement (respond, defer, modal, autocomplete choices...)."""
        await asyncio.wait_for(self._answered.wait(), timeout)
        assert self.callback is not None
        return self.callback


@dataclass(frozen=True)
class IdentifyRecord:
    """One IDENTIFY the gateway received, accepted or refused for coming too soon after another in its bucket."""

    at: float  # time.monotonic() on arrival
    shard: tuple[int, int] | None  # [shard_id, shard_count] as sent; None for an unsharded client
    bucket: int  # shard_id % max_concurrency: the IDENTIFYs that share one start per window
    session_id: str | None  # the session it started; None when refused
    accepted: bool


@dataclass
class CommandSync:
    guild_id: int | None  # None = global commands
    commands: list[Json]
    at: float


@dataclass
class TypingEvent:
    channel_id: int
    at: float


@dataclass
class ErrorRecord:
    method: str
    path: str
    status: int
    body: Json
