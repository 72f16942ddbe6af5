"""The fake REST API under /api/v10: the routes discord.py uses for bots, interactions and webhooks."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .limits import DiscordError, check_choices, check_modal
from .models import (
    ATTACH_FILES, EPHEMERAL, LOADING, MANAGE_MESSAGES, SEND_MESSAGES, Callback, FakeInteraction, Json, StoredMessage,
    snowflake,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

API = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Which callback types Discord accepts per interaction type (1 ping, 2 command, 3 component, 4 autocomplete, 5 modal).
FAKE: web.AppKey[FakeDiscord] = web.AppKey("fake")
CALLBACKS_FOR = {1: {1}, 2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}


def reply(data: Any = None, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON with Content-Type exactly `application/json`: discord.py only parses that exact value."""
    if data is None:
        return web.Response(status=204)
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


def fake_of(request: web.Request) -> FakeDiscord:
    return request.app[FAKE]


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    fake = fake_of(request)
    path = request.path
    if path.startswith(API):
        if (limit := fake.take_rate_limit(path)) is not None:
            retry_after, is_global = limit
            # discord.py retries a 429 only if it has a Via header (else it assumes a Cloudflare ban).
            return reply({"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global},
                         429, {"Via": "1.1 google", "X-RateLimit-Scope": "global" if is_global else "user"})
    try:
        # Interaction callbacks and webhooks are authorised by their token, everything else by the bot token.
        if path.startswith(API) and not path.startswith((f"{API}/interactions/", f"{API}/webhooks/")):
            auth = request.headers.get("Authorization", "")
            if not (auth.startswith("Bot ") and fake.token_ok(auth[4:])):
                raise DiscordError(401, 0, "401: Unauthorized")
        return await handler(request)
    except DiscordError as exc:
        fake.record_error(request, exc.status, exc.body)
        return reply(exc.body, exc.status)


async def read_body(request: web.Request) -> tuple[Json, list[tuple[str, bytes]]]:
    """JSON body, or multipart `payload_json` plus `files[n]` parts, in upload order."""
    if request.content_type.startswith("multipart/"):
        payload: Json = {}
        files: list[tuple[str, bytes]] = []
        async for part in await request.multipart():
            if part.name == "payload_json":  # type: ignore[union-attr]
                payload = json.loads(await part.text())  # type: ignore[union-attr]
            elif part.filename:  # type: ignore[union-attr]
                files.append((part.filename, bytes(await part.read())))  # type: ignore[union-attr]
        return payload, files
    if request.can_read_body:
        return await request.json(), []
    return {}, []


def unknown_message() -> DiscordError:
    return DiscordError(404, 10008, "Unknown Message")


# -- identity, application, commands -------------------------------------------------------------

async def get_me(request: web.Request) -> web.Response:
    return reply(fake_of(request).bot_user.to_dict())


async def get_application(request: web.Request) -> web.Response:
    fake = fake_of(request)
    return reply({
        "id": str(fake.application_id), "name": fake.bot_user.username, "icon": None, "description": "",
        "bot_public": True, "bot_require_code_grant": False, "owner": fake.owner.user.to_dict(), "team": None,
        "verify_key": "0" * 64, "flags": fake.application_flags, "bot": fake.bot_user.to_dict(),
        "interactions_endpoint_url": None, "redirect_uris": [],
    })


async def get_gateway(request: web.Request) -> web.Response:
    """GET /gateway/bot: the recommended shard count and the session start limit (each session started
    uses one of the day's 1,000)."""
    fake = fake_of(request)
    return reply({"url": fake.gateway_url, "shards": fake.recommended_shards, "session_start_limit": {
        "total": 1000, "remaining": max(0, 1000 - fake.gateway.identifies), "reset_after": 86_400_000,
        "max_concurrency": fake.max_concurrency}})


def _scope(request: web.Request) -> int | None:
    fake = fake_of(request)
    if int(request.match_info["app"]) != fake.application_id:
        raise DiscordError(403, 50001, "Missing Access")
    gid = request.match_info.get("guild")
    if gid is not None and all(g.id != int(gid) for g in fake.guilds):
        raise DiscordError(403, 50001, "Missing Access")
    return None if gid is None else int(gid)


async def get_commands(request: web.Request) -> web.Response:
    return reply(fake_of(request).commands.get(_scope(request), []))


async def put_commands(request: web.Request) -> web.Response:
    """Bulk overwrite: keeps the id of a command whose name survives, like Discord."""
    fake, scope = fake_of(request), _scope(request)
    old = {c["name"]: c["id"] for c in fake.commands.get(scope, [])}
    stored = [{**cmd, "id": old.get(cmd["name"], str(snowflake())), "application_id": str(fake.application_id),
               "version": str(snowflake()), **({"guild_id": str(scope)} if scope else {})}
              for cmd in await request.json()]
    fake.record_sync(scope, stored)
    return reply(stored)


# -- guilds, channels, messages -------------------------------------------------------------------

async def get_guild(request: web.Request) -> web.Response:
    return reply(fake_of(request).guild_of(int(request.match_info["guild"])).to_dict())


async def get_guild_member(request: web.Request) -> web.Response:
    member = fake_of(request).guild_of(int(request.match_info["guild"])).member(int(request.match_info["user"]))
    if member is None:
        raise DiscordError(404, 10007, "Unknown Member")
    return reply(member.to_dict())


async def get_channel(request: web.Request) -> web.Response:
    return reply(fake_of(request).channel(int(request.match_info["channel"])).to_dict())


def _channel_message(request: web.Request) -> StoredMessage:
    # Ephemeral messages do not exist as far as channel routes are concerned: only their webhook can touch them.
    fake = fake_of(request)
    fake.channel(int(request.match_info["channel"]))
    msg = fake.find_message(int(request.match_info["message"]))
    if msg is None or msg.ephemeral or msg.channel_id != int(request.match_info["channel"]):
        raise unknown_message()
    return msg


async def post_message(request: web.Request) -> web.Response:
    fake = fake_of(request)
    channel = fake.channel(int(request.match_info["channel"]))
    body, files = await read_body(request)
    bot_member = fake.bot_member_in(channel.guild_id)
    perms = bot_member.permissions
    if not perms & SEND_MESSAGES or (files and not perms & ATTACH_FILES):
        raise DiscordError(403, 50013, "Missing Permissions")
    reply_to = None
    if ref := body.get("message_reference"):
        reply_to = fake.find_message(int(ref["message_id"]))
        if reply_to is not None and reply_to.ephemeral:
            reply_to = None
        if reply_to is None and ref.get("fail_if_not_exists", True):
            raise DiscordError(400, 50035, "Invalid Form Body", {"message_reference": {"_errors": [
                {"code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "message": "Unknown message"}]}})
    msg = await fake.create_message(channel, bot_member, body, files, reply_to=reply_to)
    return reply(msg.data)


async def start_thread(request: web.Request) -> web.Response:
    """POST /channels/{channel}/messages/{message}/threads: a public thread started from a message."""
    fake = fake_of(request)
    channel = fake.channel(int(request.match_info["channel"]))
    if fake.find_message(int(request.match_info["message"])) is None:
        raise unknown_message()
    body, _ = await read_body(request)
    name = str(body.get("name") or "")
    if not 1 <= len(name) <= 100:
        raise DiscordError(400, 50035, "Invalid Form Body", {"name": {"_errors": [
            {"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be between 1 and 100 in length."}]}})
    thread = fake.add_thread(name, channel, fake.bot_user.id)
    await fake.dispatch("THREAD_CREATE", {**thread.to_dict(), "newly_created": True})
    return reply(thread.to_dict(), status=201)


async def get_messages(request: web.Request) -> web.Response:
    fake = fake_of(request)
    msgs = fake.channel_messages(fake.channel(int(request.match_info["channel"])).id)
    limit = int(request.query.get("limit", 50))
    return reply([m.data for m in reversed(msgs)][:limit])  # newest first, like Discord


async def get_message(request: web.Request) -> web.Response:
    return reply(_channel_message(request).data)


async def patch_message(request: web.Request) -> web.Response:
    fake, msg = fake_of(request), _channel_message(request)
    if msg.author_id != fake.bot_user.id:
        raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
    body, files = await read_body(request)
    await fake.edit_message(msg, body, files)
    return reply(msg.data)


async def delete_message(request: web.Request) -> web.Response:
    fake, msg = fake_of(request), _channel_message(request)
    bot_member = fake.bot_member_in(int(msg.data["guild_id"]))
    if msg.author_id != fake.bot_user.id and not bot_member.permissions & MANAGE_MESSAGES:
        raise DiscordError(403, 50013, "Missing Permissions")
    await fake.delete_message(msg)
    return reply()


async def put_reaction(request: web.Request) -> web.Response:
    msg = _channel_message(request)
    fake_of(request).reactions.append((msg.id, request.match_info["emoji"]))
    return reply()


async def post_typing(request: web.Request) -> web.Response:
    fake = fake_of(request)
    fake.record_typing(fake.channel(int(request.match_info["channel"])).id)
    return reply()


# -- interactions and their webhooks --------------------------------------------------------------

async def interaction_callback(request: web.Request) -> web.Response:
    fake = fake_of(request)
    ia = fake.interactions.get(int(request.match_info["interaction"]))
    if ia is None or ia.token != request.match_info["token"]:
        raise DiscordError(404, 10062, "Unknown interaction")
    body, files = await read_body(request)
    if ia.acked:
        raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
    if time.monotonic() - ia.dispatched_at > fake.interaction_timeout:
        raise DiscordError(404, 10062, "Unknown interaction")
    rtype, data = int(body.get("type", 0)), body.get("data") or {}
    if rtype not in CALLBACKS_FOR[ia.type] or (rtype in (6, 7) and ia.original is None):
        raise DiscordError(400, 50035, "Invalid Form Body", {"type": {"_errors": [
            {"code": "INTERACTION_RESPONSE_TYPE_INVALID", "message": "Invalid interaction response type"}]}})
    ephemeral = bool(int(data.get("flags") or 0) & EPHEMERAL)
    channel = fake.channel(int(ia.payload["channel_id"]))
    bot_member = fake.bot_member_in(channel.guild_id)
    message: StoredMessage | None = None
    ia.callback = Callback(rtype, data)  # claimed before any await, so a concurrent second callback gets 40060
    try:
        if rtype == 4:
            message = await fake.create_message(channel, bot_member, data, files, ephemeral=ephemeral,
                                                interaction=ia, is_response=True)
        elif rtype == 5:  # the "Bot is thinking..." placeholder, filled in by the first followup or @original edit
            message = await fake.create_message(channel, bot_member, {"flags": LOADING}, [],
                                                ephemeral=ephemeral, interaction=ia, is_response=True, validate=False)
        elif rtype == 7 and ia.original is not None:  # always true here: checked with the type above
            message = ia.original
            await fake.edit_message(message, data, files)
        elif rtype == 8:
            check_choices(data)
        elif rtype == 9:
            check_modal(data)
    except DiscordError:
        ia.callback = None  # a rejected callback does not acknowledge the interaction
        raise
    ia._answered.set()
    if request.query.get("with_response") not in ("1", "true", "True"):
        return reply()
    result: Json = {"interaction": {
        "id": str(ia.id), "type": ia.type, "response_message_loading": rtype == 5,
        "response_message_ephemeral": bool(message and message.ephemeral)}}
    resource: Json = {"type": rtype}
    if message is not None:
        result["interaction"]["response_message_id"] = str(message.id)
        resource["message"] = message.data
    result["resource"] = resource
    return reply(result)


def _interaction_for(request: web.Request) -> FakeInteraction:
    fake = fake_of(request)
    token = request.match_info["token"]
    ia = next((i for i in fake.interactions.values() if i.token == token), None)
    # Before the first callback the interaction's webhook does not exist yet.
    if ia is None or not ia.acked or int(request.match_info["app"]) != fake.application_id:
        raise DiscordError(404, 10015, "Unknown Webhook")
    return ia


def _webhook_message(request: web.Request, ia: FakeInteraction) -> StoredMessage:
    mid = request.match_info["message"]
    candidates = [m for m in [ia.original, *ia.followups] if m is not None and not m.deleted]
    if mid == "@original":
        found = ia.original if ia.original in candidates else None
    else:
        found = next((m for m in candidates if str(m.id) == mid), None)
    if found is None:
        raise unknown_message()
    return found


async def post_followup(request: web.Request) -> web.Response:
    fake, ia = fake_of(request), _interaction_for(request)
    body, files = await read_body(request)
    original = ia.original
    if ia.callback and ia.callback.type == 5 and original is not None and original.flags & LOADING:
        # The first followup after a deferred response replaces the placeholder and keeps the defer's visibility.
        await fake.edit_message(original, body, files)
        msg = original
    else:
        ephemeral = bool(int(body.get("flags") or 0) & EPHEMERAL)
        channel = fake.channel(int(ia.payload["channel_id"]))
        msg = await fake.create_message(channel, fake.bot_member_in(channel.guild_id), body, files,
                                        ephemeral=ephemeral, interaction=ia)
        ia.followups.append(msg)
    return reply(msg.data if request.query.get("wait") in ("1", "true", "True") else None)


async def get_webhook_message(request: web.Request) -> web.Response:
    return reply(_webhook_message(request, _interaction_for(request)).data)


async def patch_webhook_message(request: web.Request) -> web.Response:
    fake, ia = fake_of(request), _interaction_for(request)
    msg = _webhook_message(request, ia)
    body, files = await read_body(request)
    await fake.edit_message(msg, body, files)
    return reply(msg.data)


async def delete_webhook_message(request: web.Request) -> web.Response:
    fake, ia = fake_of(request), _interaction_for(request)
    await fake.delete_message(_webhook_message(request, ia))
    return reply()


async def cdn(request: web.Request) -> web.Response:
    blob = fake_of(request).cdn.get(request.path)
    if blob is None:
        raise DiscordError(404, 0, "404: Not Found")
    return web.Response(body=blob, content_type="application/octet-stream")


async def unknown_route(request: web.Request) -> web.Response:
    fake_of(request).unknown_routes.append(f"{request.method} {request.path}")
    raise DiscordError(404, 0, f"404: Not Found ({request.method} {request.path} is not faked)")


def add_routes(app: web.Application) -> None:
    r = app.router
    channel_msg = f"{API}/channels/{{channel}}/messages/{{message}}"
    webhook_msg = f"{API}/webhooks/{{app}}/{{token}}/messages/{{message}}"
    r.add_get(f"{API}/users/@me", get_me)
    r.add_get(f"{API}/oauth2/applications/@me", get_application)
    r.add_get(f"{API}/applications/@me", get_application)
    r.add_get(f"{API}/gateway", get_gateway)
    r.add_get(f"{API}/gateway/bot", get_gateway)
    for prefix in (f"{API}/applications/{{app}}", f"{API}/applications/{{app}}/guilds/{{guild}}"):
        r.add_get(f"{prefix}/commands", get_commands)
        r.add_put(f"{prefix}/commands", put_commands)
    r.add_get(f"{API}/guilds/{{guild}}", get_guild)
    r.add_get(f"{API}/guilds/{{guild}}/members/{{user}}", get_guild_member)
    r.add_get(f"{API}/channels/{{channel}}", get_channel)
    r.add_get(f"{API}/channels/{{channel}}/messages", get_messages)
    r.add_post(f"{API}/channels/{{channel}}/messages", post_message)
    r.add_get(channel_msg, get_message)
    r.add_patch(channel_msg, patch_message)
    r.add_delete(channel_msg, delete_message)
    r.add_put(f"{channel_msg}/reactions/{{emoji}}/@me", put_reaction)
    r.add_post(f"{channel_msg}/threads", start_thread)
    r.add_post(f"{API}/channels/{{channel}}/typing", post_typing)
    r.add_post(f"{API}/interactions/{{interaction}}/{{token}}/callback", interaction_callback)
    r.add_post(f"{API}/webhooks/{{app}}/{{token}}", post_followup)
    r.add_get(webhook_msg, get_webhook_message)
    r.add_patch(webhook_msg, patch_webhook_message)
    r.add_delete(webhook_msg, delete_webhook_message)
    r.add_get("/attachments/{channel}/{attachment}/{filename}", cdn)
    r.add_route("*", "/{tail:.*}", unknown_route)
