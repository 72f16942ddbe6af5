"""FakeDiscord: the fake's world, its message store, and the API tests use to drive and inspect a bot."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import discord
import yarl
from aiohttp import web

from . import rest
from .gateway import Gateway, Session
from .limits import DiscordError, check_message, compute_pings
from .models import (
    ADD_REACTIONS, ATTACH_FILES, EMBED_LINKS, EPHEMERAL, KICK_MEMBERS, LOADING, MANAGE_MESSAGES, MANAGE_ROLES,
    READ_MESSAGE_HISTORY, SEND_MESSAGES, USE_APPLICATION_COMMANDS, VIEW_CHANNEL, Channel, CommandSync,
    ErrorRecord, FakeInteraction, Guild, Json, Member, Role, StoredMessage, TypingEvent, User, guild_id_on_shard,
    iso_now, snowflake,
)

ClientT = TypeVar("ClientT", bound=discord.Client)
DEFAULT_EVERYONE = (VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | ADD_REACTIONS | EMBED_LINKS
                    | ATTACH_FILES | USE_APPLICATION_COMMANDS)
# What the edited message may carry over from a PATCH body; everything else is server-owned.
EDITABLE = ("content", "embeds", "components")
# Option types that carry a snowflake plus `resolved` data, and what the test passes for each.
SNOWFLAKE_OPTIONS: dict[int, tuple[type, ...]] = {6: (Member,), 7: (Channel,), 8: (Role,), 9: (Member, Role),
                                                 11: (tuple,)}


@dataclass
class RateLimitRule:
    path_contains: str
    remaining: int
    retry_after: float
    is_global: bool


class FakeDiscord:
    """A fake Discord (REST + gateway) on 127.0.0.1 for a real discord.py client.

    The default world: a bot user (whose id is also the application id) and one guild with roles
    @everyone, "Moderator" and the bot's managed role; text channels #general and #news; members
    `owner` (guild owner: every permission, incl. Manage Guild), `moderator` (Moderator role) and `member`.
    More servers come from :meth:`add_guild`, each on a shard of your choosing; `guild_shard` places the
    default one. IDENTIFYs are limited to one per bucket (`shard_id % max_concurrency`) per
    `identify_window` seconds, Discord's 5 s unless a test shortens it.
    """

    def __init__(self, *, token: str | None = None, interaction_timeout: float = 3.0,
                 identify_window: float = 5.0, max_concurrency: int = 1, recommended_shards: int = 1,
                 guild_shard: tuple[int, int] | None = None) -> None:
        self.token = token  # None accepts any token
        self.interaction_timeout = interaction_timeout  # Discord's 3 s acknowledgement window
        self.application_flags = (1 << 15) | (1 << 19)  # members + message content intents enabled
        self.identify_window = identify_window
        self.max_concurrency = max_concurrency  # what GET /gateway/bot tells the bot
        self.recommended_shards = recommended_shards

        self.bot_user = User(snowflake(), "Newsdesk", bot=True)
        self.application_id = self.bot_user.id
        gid = guild_id_on_shard(*guild_shard) if guild_shard else snowflake()
        self.guild = Guild(gid, "Fake Newsroom")
        self.guilds: list[Guild] = [self.guild]
        self.everyone_role = self.add_role("@everyone", DEFAULT_EVERYONE, id=gid)
        self.moderator_role = self.add_role("Moderator", MANAGE_MESSAGES | KICK_MEMBERS, mentionable=True)
        self.bot_role = self.add_role("Newsdesk", DEFAULT_EVERYONE, managed=True)
        self.bot_member = self.add_member(self.bot_user, self.bot_role)
        self.owner = self.add_member("owner")
        self.guild.owner_id = self.owner.id
        self.moderator = self.add_member("moderator", self.moderator_role)
        self.member = self.add_member("member")
        self.general = self.add_channel("general")
        self.news = self.add_channel("news")

        self.gateway = Gateway(self)
        self.messages: list[StoredMessage] = []  # everything stored, users' messages included
        self.interactions: dict[int, FakeInteraction] = {}
        self.commands: dict[int | None, list[Json]] = {}  # registered app commands per guild (None = global)
        self.command_syncs: list[CommandSync] = []
        self.typing_events: list[TypingEvent] = []
        self.reactions: list[tuple[int, str]] = []  # (message id, emoji) the bot added
        self.errors: list[ErrorRecord] = []  # every 4xx returned, except injected 429s
        self.unknown_routes: list[str] = []
        self.rate_limited: list[str] = []  # requests answered with an injected 429
        self.cdn: dict[str, bytes] = {}  # attachment url path -> bytes
        self._dm_channels: dict[int, int] = {}  # user id -> the id of their DM channel with the bot
        self._rate_limits: list[RateLimitRule] = []
        self._log: list[StoredMessage] = []  # bot messages created or edited, in order, for wait_for_message
        self._cursor = 0
        self._log_changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._saved_patch: tuple[str, yarl.URL] | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(middlewares=[rest.middleware], client_max_size=64 * 1024 * 1024)
        app[rest.FAKE] = self
        app.router.add_get("/gateway", self.gateway.handle)
        rest.add_routes(app)
        # No access log: its lines carry interaction tokens, and tests check the bot's log has none.
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self._port = self._runner.addresses[0][1]  # the OS-assigned port when port=0

    async def stop(self) -> None:
        self.unpatch_discord()
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/gateway"

    def patch_discord(self) -> None:
        """Point discord.py's global REST base and gateway URL at this fake (undo with unpatch_discord)."""
        if self._saved_patch is None:
            self._saved_patch = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = f"{self.base_url}/api/v10"
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)

    def unpatch_discord(self) -> None:
        if self._saved_patch is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved_patch
            self._saved_patch = None

    @contextlib.asynccontextmanager
    async def running(self, client: ClientT, *, token: str = "fake-token",
                      timeout: float = 10.0) -> AsyncIterator[ClientT]:
        """Start `client` against the fake, wait for on_ready, and close it on exit.

        Pass `guild_ready_timeout=0.05` (or similar) to the client: discord.py otherwise waits 2 s after
        the last GUILD_CREATE before on_ready.
        """
        self.patch_discord()
        task = asyncio.create_task(client.start(token))
        try:
            deadline = time.monotonic() + timeout
            while not client.is_ready():
                if task.done():
                    task.result()  # re-raise why the client stopped (e.g. LoginFailure)
                    raise RuntimeError("client stopped before becoming ready")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"client not ready after {timeout}s")
                await asyncio.sleep(0.01)
            yield client
        finally:
            await client.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(task, 5)

    async def wait_ready(self, timeout: float = 5.0, *, shards: list[int] | None = None) -> None:
        """Until the bot has identified and been sent its guilds (on_ready comes guild_ready_timeout later);
        with `shards`, until each of those shards has a session that has."""
        deadline = time.monotonic() + timeout
        while not self.gateway.is_ready(shards):
            if time.monotonic() > deadline:
                raise TimeoutError(f"shards {shards} not ready after {timeout}s; sessions: {self.gateway.sessions}")
            await asyncio.sleep(0.01)

    def token_ok(self, token: str | None) -> bool:
        return bool(token) and (self.token is None or token == self.token)

    # -- world ---------------------------------------------------------------------------------

    def add_guild(self, name: str, *, shard: tuple[int, int] | None = None) -> Guild:
        """Another server the bot is in (sent to the sessions that own it from the next IDENTIFY on), with an
        @everyone role, the bot's managed role, members `owner` and `member`, and channels #general and #news.
        `shard=(k, n)` gives it an id that Discord routes to shard k of n."""
        guild = Guild(guild_id_on_shard(*shard) if shard else snowflake(), name)
        self.guilds.append(guild)
        self.add_role("@everyone", DEFAULT_EVERYONE, id=guild.id, guild=guild)
        self.add_member(self.bot_user, self.add_role(self.bot_user.username, DEFAULT_EVERYONE, managed=True,
                                                     guild=guild), guild=guild)
        guild.owner_id = self.add_member("owner", guild=guild).id
        self.add_member("member", guild=guild)
        self.add_channel("general", guild=guild)
        self.add_channel("news", guild=guild)
        return guild

    def guild_of(self, guild_id: int) -> Guild:
        try:
            return next(g for g in self.guilds if g.id == guild_id)
        except StopIteration:
            raise DiscordError(404, 10004, "Unknown Guild") from None

    def bot_member_in(self, guild_id: int) -> Member:
        member = self.guild_of(guild_id).member(self.bot_user.id)
        if member is None:
            raise DiscordError(404, 10004, "Unknown Guild")
        return member

    def add_role(self, name: str, permissions: int = 0, *, mentionable: bool = False,
                 managed: bool = False, id: int | None = None, guild: Guild | None = None) -> Role:
        guild = guild or self.guild
        role = Role(id or snowflake(), name, permissions, len(guild.roles), mentionable, managed)
        guild.roles.append(role)
        return role

    async def create_role(self, name: str, permissions: int = 0, *, by: Member | None = None,
                          mentionable: bool = False) -> Role:
        """A role created in the default guild while the bot runs (GUILD_ROLE_CREATE). With `by`, only as Discord allows it: the
        creator needs Manage Roles and can grant only permissions they have themselves."""
        if by is not None and not (by.permissions & MANAGE_ROLES and permissions & ~by.permissions == 0):
            raise DiscordError(403, 50013, "Missing Permissions")
        shifted = [r for r in self.guild.roles if r.id != self.guild.id]
        role = self.add_role(name, permissions, mentionable=mentionable)
        for other in shifted:  # a new role starts just above @everyone; the others move up one
            other.position += 1
        role.position = 1
        await self.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(self.guild.id), "role": role.to_dict()})
        for other in shifted:
            await self.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(self.guild.id), "role": other.to_dict()})
        return role

    async def rename_role(self, role: Role, name: str) -> None:
        """GUILD_ROLE_UPDATE with a new name, as a server admin renaming a role."""
        role.name = name
        await self.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(self.guild.id), "role": role.to_dict()})

    async def set_roles(self, member: Member, *roles: Role, by: Member | None = None) -> None:
        """Give `member` exactly `roles` (GUILD_MEMBER_UPDATE). With `by`, only roles below `by`'s highest role,
        which is how Discord lets a member with Manage Roles hand out roles (themselves included)."""
        if by is not None:
            top = max((r.position for r in by.roles), default=0)
            changed = set(map(id, roles)) ^ set(map(id, member.roles))
            if by.id != member.guild.owner_id and (not by.permissions & MANAGE_ROLES or any(
                    r.position >= top for r in [*roles, *member.roles] if id(r) in changed)):
                raise DiscordError(403, 50013, "Missing Permissions")
        member.roles = list(roles)
        await self.dispatch("GUILD_MEMBER_UPDATE", {"guild_id": str(member.guild.id), **member.to_dict()})

    def add_member(self, user: User | str, *roles: Role, guild: Guild | None = None) -> Member:
        guild = guild or self.guild
        if isinstance(user, str):
            user = User(snowflake(), user)
        member = Member(user, guild, list(roles))
        guild.members.append(member)
        return member

    def add_channel(self, name: str, *, guild: Guild | None = None) -> Channel:
        guild = guild or self.guild
        channel = Channel(snowflake(), name, guild.id, position=len(guild.channels))
        guild.channels.append(channel)
        return channel

    def add_thread(self, name: str, parent: Channel, owner_id: int) -> Channel:
        """A public thread in ``parent`` (what starting a thread from a message creates)."""
        thread = Channel(snowflake(), name, parent.guild_id, type=11, parent_id=parent.id, owner_id=owner_id)
        self.guild_of(parent.guild_id).channels.append(thread)
        return thread

    def channel(self, channel_id: int) -> Channel:
        for guild in self.guilds:
            found = next((c for c in guild.channels if c.id == channel_id), None)
            if found is not None:
                return found
        raise DiscordError(404, 10003, "Unknown Channel")

    # -- the message store (shared by REST handlers and the test API) ----------------------------

    def find_message(self, message_id: int) -> StoredMessage | None:
        return next((m for m in self.messages if m.id == message_id and not m.deleted), None)

    async def create_message(self, channel: Channel, author: Member, body: Json, files: list[tuple[str, bytes]], *,
                             ephemeral: bool = False, interaction: FakeInteraction | None = None,
                             is_response: bool = False, reply_to: StoredMessage | None = None,
                             validate: bool = True) -> StoredMessage:
        """Store a new message; `is_response`: it is `interaction`'s original response, not a followup."""
        if validate:
            check_message(body, has_files=bool(files))
        guild = self.guild_of(channel.guild_id)
        data: Json = {
            "id": str(snowflake()), "channel_id": str(channel.id), "guild_id": str(guild.id),
            "author": author.user.to_dict(), "content": body.get("content") or "", "timestamp": iso_now(),
            "edited_timestamp": None, "tts": bool(body.get("tts")), "pinned": False, "type": 0,
            "embeds": [{"type": "rich", **e} for e in body.get("embeds") or []],
            "components": body.get("components") or [], "attachments": self._attachments(channel.id, [], files),
            "flags": int(body.get("flags") or 0) | (EPHEMERAL if ephemeral else 0),
        }
        if body.get("nonce") is not None:
            data["nonce"] = body["nonce"]
        if interaction is not None:
            data.update(webhook_id=str(self.application_id), application_id=str(self.application_id),
                        type=20 if interaction.type == 2 and is_response else 0,
                        interaction_metadata={"id": str(interaction.id), "type": interaction.type,
                                              "user": interaction.payload["member"]["user"],
                                              "authorizing_integration_owners": {"0": str(guild.id)}})
        if reply_to is not None:
            data.update(type=19, referenced_message=reply_to.data, message_reference={
                "type": 0, "message_id": str(reply_to.id), "channel_id": str(reply_to.channel_id),
                "guild_id": str(guild.id)})
        msg = StoredMessage(data, ephemeral=ephemeral, files=list(files))
        self._set_mentions(msg, author, body.get("allowed_mentions"), reply_to.author_id if reply_to else None)
        self.messages.append(msg)
        if interaction is not None and is_response:
            interaction.original = msg
        await self._announce("MESSAGE_CREATE", msg, author)
        return msg

    async def edit_message(self, msg: StoredMessage, body: Json, files: list[tuple[str, bytes]]) -> None:
        """PATCH semantics: keys present replace, keys absent stay; `attachments` lists which ones to keep."""
        new = {**msg.data, **{k: body[k] or ([] if k != "content" else "") for k in EDITABLE if k in body}}
        new["embeds"] = [{"type": "rich", **e} for e in new["embeds"]]
        keep = msg.attachments
        if "attachments" in body:
            wanted = {str(a.get("id")) for a in body["attachments"] or []}
            keep = [a for a in msg.attachments if a["id"] in wanted]
        new["attachments"] = self._attachments(msg.channel_id, keep, files)
        new["flags"] = (msg.flags & ~LOADING) | (int(body.get("flags") or 0) & ~EPHEMERAL)
        check_message({**new, "allowed_mentions": body.get("allowed_mentions"), "attachments": None},
                      has_files=bool(new["attachments"]))
        if not msg.flags & LOADING:  # completing a deferred response is not an "edit" to the user
            new["edited_timestamp"] = iso_now()
        msg.history.append(msg.data)
        msg.data = new
        msg.files.extend(files)
        bot_member = self.bot_member_in(int(msg.data["guild_id"]))
        self._set_mentions(msg, bot_member, body.get("allowed_mentions"), None)
        await self._announce("MESSAGE_UPDATE", msg, bot_member)

    async def delete_message(self, msg: StoredMessage) -> None:
        msg.deleted = True
        if not msg.ephemeral:
            await self.gateway.dispatch("MESSAGE_DELETE", {
                "id": str(msg.id), "channel_id": str(msg.channel_id), "guild_id": msg.data["guild_id"]})

    def _attachments(self, channel_id: int, keep: list[Json], files: list[tuple[str, bytes]]) -> list[Json]:
        out = list(keep)
        for filename, blob in files:
            aid = snowflake()
            path = f"/attachments/{channel_id}/{aid}/{filename}"
            self.cdn[path] = blob
            out.append({"id": str(aid), "filename": filename, "size": len(blob), "url": self.base_url + path,
                        "proxy_url": self.base_url + path, "content_type": "application/octet-stream"})
        return out

    def _set_mentions(self, msg: StoredMessage, author: Member, allowed: Json | None,
                      replied_author: int | None) -> None:
        # The message's mention arrays say who was actually notified, matching `pings`.
        pings = compute_pings(msg.content, allowed, replied_author=replied_author, sender=author.id)
        msg.pings |= pings  # a message's pings accumulate over its edits
        guild = author.guild
        users = [m for m in guild.members if f"user:{m.id}" in pings]
        msg.data["mentions"] = [{**m.user.to_dict(), "member": m.to_dict(with_user=False)} for m in users]
        msg.data["mention_roles"] = [str(r.id) for r in guild.roles if f"role:{r.id}" in pings]
        msg.data["mention_everyone"] = bool(pings & {"everyone", "here"})

    async def _announce(self, event: str, msg: StoredMessage, author: Member) -> None:
        if author.id == self.bot_user.id:
            self._log.append(msg)
            self._log_changed.set()
            self._log_changed = asyncio.Event()
        if msg.ephemeral:  # ephemeral messages never reach the gateway
            return
        await self.gateway.dispatch_message(event, {**msg.data, "member": author.to_dict(with_user=False)})

    # -- driving the bot -------------------------------------------------------------------------

    async def dispatch(self, event: str, data: Json) -> None:
        """Send any gateway event to the bot."""
        await self.gateway.dispatch(event, data)

    async def send_message(self, channel: Channel, author: Member, content: str = "", *,
                           mentions: Iterable[Member] = (), mention_roles: Iterable[Role] = (),
                           mention_everyone: bool = False, reply_to: StoredMessage | None = None,
                           attachments: Iterable[tuple[str, bytes]] = ()) -> StoredMessage:
        """A user posts a message (MESSAGE_CREATE). Mentions are written into the content, and the
        mention arrays are derived from the content, so the two always agree."""
        tokens = [m.mention for m in mentions] + [r.mention for r in mention_roles]
        tokens += ["@everyone"] if mention_everyone else []
        content = " ".join([t for t in tokens if t not in content] + ([content] if content else []))
        self._cursor = len(self._log)  # before dispatching: the bot may answer before create_message returns
        return await self.create_message(channel, author, {"content": content}, list(attachments),
                                         reply_to=reply_to, validate=False)

    async def send_dm(self, user: User, content: str) -> Json:
        """A user writes to the bot directly (MESSAGE_CREATE without a guild: Discord sends it to shard 0 only).
        The payload sent is returned; a DM channel is not part of the world, so the bot cannot answer it."""
        data: Json = {
            "id": str(snowflake()), "channel_id": str(self._dm_channels.setdefault(user.id, snowflake())),
            "author": user.to_dict(), "content": content, "timestamp": iso_now(), "edited_timestamp": None,
            "tts": False, "pinned": False, "type": 0, "embeds": [], "components": [], "attachments": [],
            "mentions": [], "mention_roles": [], "mention_everyone": False, "flags": 0,
        }
        await self.gateway.dispatch_message("MESSAGE_CREATE", data)
        return data

    async def invoke_command(self, name: str, options: dict[str, Any] | None = None, *, user: Member | None = None,
                             channel: Channel | None = None, subcommand: str | None = None) -> FakeInteraction:
        """A user runs a synced slash command (INTERACTION_CREATE type 2). `subcommand` is "sub" or "group sub".
        Option values: str/int/float/bool, a Member (user option), Channel, Role, or (filename, bytes)."""
        return await self._command_interaction(2, name, options or {}, user, channel, subcommand, None)

    async def autocomplete(self, name: str, options: dict[str, Any], focused: str, *, user: Member | None = None,
                           channel: Channel | None = None, subcommand: str | None = None) -> FakeInteraction:
        """A user is typing option `focused` (INTERACTION_CREATE type 4); the choices arrive as callback type 8."""
        return await self._command_interaction(4, name, options, user, channel, subcommand, focused)

    async def click(self, message: StoredMessage, custom_id: str, *, user: Member | None = None,
                    values: Iterable[str] = (), via: Session | None = None) -> FakeInteraction:
        """A user clicks a button / picks select `values` on a message (INTERACTION_CREATE type 3). `via`
        delivers it to that session rather than the server's shard, as after the bot was resharded."""
        comp = message.find_component(custom_id)
        if comp is None or comp.get("disabled") or message.deleted:
            raise ValueError(f"no clickable component {custom_id!r} on {message!r}")
        data: Json = {"custom_id": custom_id, "component_type": comp["type"]}
        if comp["type"] != 2:
            data["values"] = list(values)
        return await self._interaction(3, data, user or self.member, self.channel(message.channel_id), message, via)

    async def submit_modal(self, opened_by: FakeInteraction, values: dict[str, str | list[str]], *,
                           user: Member | None = None) -> FakeInteraction:
        """Submit the modal the bot answered `opened_by` with (INTERACTION_CREATE type 5)."""
        if opened_by.callback is None or opened_by.callback.type != 9:
            raise ValueError("the bot did not answer that interaction with a modal")
        modal = opened_by.callback.data

        def leaf(comp: Json) -> Json:
            value = values.get(comp["custom_id"], comp.get("value") or "")
            if comp["type"] == 4 and not value and comp.get("required", True):
                raise ValueError(f"modal field {comp['custom_id']!r} is required")
            key = "value" if comp["type"] == 4 else "values"
            return {"type": comp["type"], "custom_id": comp["custom_id"], key: value}

        submitted: list[Json] = []
        for top in modal.get("components") or []:
            if top["type"] == 1:
                submitted.append({"type": 1, "components": [leaf(c) for c in top["components"]]})
            elif top["type"] == 18:
                submitted.append({"type": 18, "component": leaf(top["component"])})
        channel = self.channel(int(opened_by.payload["channel_id"]))
        member = (user or self.guild_of(channel.guild_id).member(int(opened_by.payload["member"]["user"]["id"]))
                  or self.member)
        origin = opened_by.original if opened_by.type == 3 else None
        return await self._interaction(5, {"custom_id": modal["custom_id"], "components": submitted},
                                       member, channel, origin)

    async def redeliver(self, ia: FakeInteraction) -> None:
        """Dispatch the same INTERACTION_CREATE again, as a gateway replay would."""
        await self.gateway.dispatch("INTERACTION_CREATE", ia.payload)

    async def force_reconnect(self) -> None:
        """Send op 7 RECONNECT: discord.py reconnects to READY's resume_gateway_url and RESUMEs."""
        await self.gateway.send_op({"op": 7, "d": None, "s": None, "t": None})

    def inject_rate_limit(self, path_contains: str, *, count: int = 1, retry_after: float = 0.05,
                          is_global: bool = False) -> None:
        """Answer the next `count` requests whose path contains `path_contains` with a (retryable) 429."""
        self._rate_limits.append(RateLimitRule(path_contains, count, retry_after, is_global))

    async def _command_interaction(self, itype: int, name: str, options: dict[str, Any], user: Member | None,
                                   channel: Channel | None, subcommand: str | None,
                                   focused: str | None) -> FakeInteraction:
        channel = channel or self.general
        cmd, scope = self._find_command(name, channel.guild_id)
        schema, path = cmd.get("options") or [], (subcommand or "").split()
        for sub in path:
            schema = next(o for o in schema if o["name"] == sub and o["type"] in (1, 2)).get("options") or []
        resolved: Json = {}
        opts = self._options(schema, options, resolved, focused)
        for depth in reversed(range(len(path))):  # innermost first: a subcommand (1) inside a group (2)
            opts = [{"type": 1 if depth == len(path) - 1 else 2, "name": path[depth], "options": opts}]
        data: Json = {"id": cmd["id"], "name": name, "type": 1, "options": opts}
        if resolved:
            data["resolved"] = resolved
        if scope is not None:
            data["guild_id"] = str(scope)
        return await self._interaction(itype, data, user or self.member, channel, None)

    def _find_command(self, name: str, guild_id: int) -> tuple[Json, int | None]:
        for scope in (guild_id, None):
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name and cmd.get("type", 1) == 1:
                    return cmd, scope
        synced = sorted(c["name"] for cmds in self.commands.values() for c in cmds)
        raise LookupError(f"/{name} is not synced; synced commands: {synced}")

    def _options(self, schema: list[Json], values: dict[str, Any], resolved: Json, focused: str | None) -> list[Json]:
        # A Discord client only ever sends declared options with well-typed values; so does the fake.
        known = {o["name"]: o for o in schema}
        if unknown := set(values) - set(known):
            raise ValueError(f"unknown options {sorted(unknown)}; declared: {sorted(known)}")
        missing = [o["name"] for o in schema if o.get("required") and o["name"] not in values]
        if missing and focused is None:
            raise ValueError(f"missing required options {missing}")
        out: list[Json] = []
        for name, value in values.items():
            spec = known[name]
            option: Json = {"name": name, "type": spec["type"], "value": self._option_value(spec, value, resolved)}
            if name == focused:
                option.update(focused=True, value=str(value))  # autocomplete sends the raw typed text
            elif spec.get("choices") and option["value"] not in [c["value"] for c in spec["choices"]]:
                raise ValueError(f"{value!r} is not one of the choices for {name!r}")
            out.append(option)
        return out

    def _option_value(self, spec: Json, value: Any, resolved: Json) -> Any:
        kind = spec["type"]
        if kind in (3, 4, 5, 10):
            return {3: str, 4: int, 5: bool, 10: float}[kind](value)
        if not any(isinstance(value, t) for t in SNOWFLAKE_OPTIONS.get(kind, ())):
            raise TypeError(f"option {spec['name']!r} (type {kind}) cannot take {value!r}")
        if isinstance(value, tuple):  # an attachment option: (filename, bytes)
            att = self._attachments(self.general.id, [], [value])[0]
            resolved.setdefault("attachments", {})[att["id"]] = att
            return att["id"]
        key = str(value.id)
        if isinstance(value, Member):
            resolved.setdefault("users", {})[key] = value.user.to_dict()
            resolved.setdefault("members", {})[key] = value.to_dict(with_user=False, with_permissions=True)
        elif isinstance(value, Role):
            resolved.setdefault("roles", {})[key] = value.to_dict()
        else:
            perms = str(self.bot_member_in(value.guild_id).permissions)
            resolved.setdefault("channels", {})[key] = {**value.to_dict(), "permissions": perms}
        return key

    async def _interaction(self, itype: int, data: Json, user: Member, channel: Channel,
                           message: StoredMessage | None, via: Session | None = None) -> FakeInteraction:
        gid = str(channel.guild_id)
        payload: Json = {
            "id": str(snowflake()), "application_id": str(self.application_id), "type": itype, "data": data,
            "token": secrets.token_urlsafe(32), "version": 1, "guild_id": gid,
            "guild": {"id": gid, "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": {**channel.to_dict(), "permissions": str(user.permissions)},
            "member": user.to_dict(with_permissions=True),
            "app_permissions": str(self.bot_member_in(channel.guild_id).permissions),
            "locale": "en-US", "guild_locale": "en-US", "entitlements": [], "context": 0,
            "authorizing_integration_owners": {"0": gid}, "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message.data
        # Registered before it is sent: the bot may answer before dispatch() returns.
        ia = FakeInteraction(payload, dispatched_at=time.monotonic(), original=message)
        self.interactions[ia.id] = ia
        self._cursor = len(self._log)
        await (via or self.gateway).dispatch("INTERACTION_CREATE", payload)
        return ia

    # -- observing -----------------------------------------------------------------------------

    def bot_messages(self) -> list[StoredMessage]:
        """Everything the bot has posted and not deleted, ephemeral included."""
        return [m for m in self.messages if m.author_id == self.bot_user.id and not m.deleted]

    def channel_messages(self, channel_id: int) -> list[StoredMessage]:
        """What everyone sees in a channel, oldest first (no ephemeral or deleted messages)."""
        return [m for m in self.messages if m.channel_id == channel_id and not m.deleted and not m.ephemeral]

    def all_pings(self) -> set[str]:
        """Everyone the bot's messages pinged, over all sends and edits."""
        return set().union(*(m.pings for m in self.messages if m.author_id == self.bot_user.id))

    async def wait_for_message(self, predicate: Callable[[StoredMessage], bool] | None = None, *,
                               timeout: float = 5.0) -> StoredMessage:
        """The next bot message created or edited since the last thing the test dispatched (or since the
        message this last returned), matching `predicate`."""
        deadline = time.monotonic() + timeout
        while True:
            while self._cursor < len(self._log):
                msg = self._log[self._cursor]
                self._cursor += 1
                if predicate is None or predicate(msg):
                    return msg
            changed = self._log_changed
            try:
                await asyncio.wait_for(changed.wait(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                raise TimeoutError(f"no matching bot message within {timeout}s; bot messages: "
                                   f"{self.bot_messages()[-5:]}; errors: {self.errors[-5:]}") from None

    async def wait_deleted(self, msg: StoredMessage, *, timeout: float = 5.0) -> bool:
        """Whether `msg` is deleted within `timeout` (a reply sent with ``delete_after`` is, by discord.py)."""
        for _ in range(max(1, int(timeout / 0.05))):
            if msg.deleted:
                break
            await asyncio.sleep(0.05)
        return msg.deleted

    def record_error(self, request: web.Request, status: int, body: Json) -> None:
        self.errors.append(ErrorRecord(request.method, request.path, status, body))

    def take_rate_limit(self, path: str) -> tuple[float, bool] | None:
        for rule in self._rate_limits:
            if rule.path_contains in path and rule.remaining > 0:
                rule.remaining -= 1
                self.rate_limited.append(path)
                return rule.retry_after, rule.is_global
        return None

    def record_sync(self, guild_id: int | None, commands: list[Json]) -> None:
        self.commands[guild_id] = commands
        self.command_syncs.append(CommandSync(guild_id, commands, time.monotonic()))

    def record_typing(self, channel_id: int) -> None:
        self.typing_events.append(TypingEvent(channel_id, time.monotonic()))
