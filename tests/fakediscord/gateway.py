"""The fake gateway: HELLO/IDENTIFY/READY/GUILD_CREATE, heartbeats, RESUME and sequenced dispatches."""

from __future__ import annotations

import asyncio
import json
import secrets
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .models import Json

if TYPE_CHECKING:
    from .server import FakeDiscord

HEARTBEAT_INTERVAL_MS = 41250
GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
MESSAGE_CONTENT = 1 << 15


def _compressor(kind: str | None) -> Callable[[bytes], bytes] | None:
    """One compressor per connection: discord.py keeps one decompression context for the whole stream."""
    if kind == "zlib-stream":
        zobj = zlib.compressobj()
        # Z_SYNC_FLUSH makes every message end in 00 00 ff ff, which is how discord.py spots a whole message.
        return lambda data: zobj.compress(data) + zobj.flush(zlib.Z_SYNC_FLUSH)
    if kind == "zstd-stream":
        try:
            import zstandard  # type: ignore[import-not-found, unused-ignore]

            zst = zstandard.ZstdCompressor().compressobj()
            return lambda data: zst.compress(data) + zst.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
        except ImportError:
            from compression.zstd import ZstdCompressor  # type: ignore[import-not-found, unused-ignore]  # 3.14+

            zc = ZstdCompressor()
            return lambda data: zc.compress(data, mode=ZstdCompressor.FLUSH_BLOCK)
    return None


class Connection:
    def __init__(self, ws: web.WebSocketResponse, compress: str | None) -> None:
        self.ws = ws
        self.compress = _compressor(compress)
        # Compression state and frame order must advance together, so sends are serialised.
        self.lock = asyncio.Lock()

    async def send(self, payload: Json) -> None:
        raw = json.dumps(payload).encode()
        async with self.lock:
            if self.compress is None:
                await self.ws.send_str(raw.decode())
            else:
                await self.ws.send_bytes(self.compress(raw))


class Gateway:
    """One bot session. Events are logged with their sequence number so a RESUME can replay what was missed."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.session_id: str | None = None
        self.intents = 0
        self.identifies = 0
        self.resumes = 0
        self.events: list[Json] = []  # every dispatch of this session, for replay
        self.live: Connection | None = None
        self.connections: set[Connection] = set()
        self.ready = asyncio.Event()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws, request.query.get("compress"))
        self.connections.add(conn)
        await conn.send({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_op(conn, json.loads(msg.data))
        finally:
            self.connections.discard(conn)
            if self.live is conn:
                self.live = None
        return ws

    async def _on_op(self, conn: Connection, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        d: Any = payload.get("d")  # a dict, or the last sequence number for a heartbeat
        if op == 1:  # HEARTBEAT
            await conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:  # IDENTIFY
            if not self.fake.token_ok(d.get("token")):
                await conn.ws.close(code=4004, message=b"Authentication failed.")
                return
            await self._identify(conn, d)
        elif op == 6:  # RESUME
            if d.get("session_id") != self.session_id or not self.fake.token_ok(d.get("token")):
                await conn.send({"op": 9, "d": False, "s": None, "t": None})
                return
            self.resumes += 1
            self.live = conn
            for event in self.events:
                if event["s"] > (d.get("seq") or 0):
                    await conn.send(event)
            await self.dispatch("RESUMED", {})
        elif op == 8:  # REQUEST_GUILD_MEMBERS: answer with everyone, so chunking bots don't hang
            guild = self.fake.guild
            await self.dispatch("GUILD_MEMBERS_CHUNK", {
                "guild_id": str(guild.id), "members": [m.to_dict() for m in guild.members],
                "chunk_index": 0, "chunk_count": 1, "not_found": [], "nonce": d.get("nonce")})
        # op 3 (presence) and the rest are accepted and ignored.

    async def _identify(self, conn: Connection, d: Json) -> None:
        self.identifies += 1
        self.session_id = secrets.token_hex(16)
        self.events = []
        self.intents = int(d.get("intents") or 0)
        self.live = conn
        fake = self.fake
        ready: Json = {
            "v": 10, "user": fake.bot_user.to_dict(), "session_id": self.session_id,
            "resume_gateway_url": fake.gateway_url, "private_channels": [], "relationships": [],
            "guilds": [{"id": str(fake.guild.id), "unavailable": True}],
            "application": {"id": str(fake.application_id), "flags": fake.application_flags},
        }
        if "shard" in d:
            ready["shard"] = d["shard"]
        await self.dispatch("READY", ready)
        # Full guild payloads right away: discord.py fires on_ready guild_ready_timeout after the last one.
        guild = fake.guild.to_dict()
        if not self.intents & GUILD_MEMBERS:  # without the privileged intent Discord only sends the bot itself
            guild["members"] = [fake.bot_member.to_dict()]
        await self.dispatch("GUILD_CREATE", guild)
        self.ready.set()

    async def dispatch(self, event: str, data: Json) -> None:
        """Send a DISPATCH with the next sequence number (kept for replay if the bot is disconnected)."""
        payload: Json = {"op": 0, "t": event, "s": len(self.events) + 1, "d": data}
        self.events.append(payload)
        if self.live is not None and not self.live.ws.closed:
            await self.live.send(payload)

    def sees_message(self, data: Json) -> Json | None:
        """What MESSAGE_CREATE/UPDATE the bot receives for `data` under its intents, or None if it gets nothing."""
        if not self.intents & GUILD_MESSAGES:
            return None
        bot_id = str(self.fake.bot_user.id)
        mentioned = any(u["id"] == bot_id for u in data.get("mentions") or [])
        if self.intents & MESSAGE_CONTENT or data["author"]["id"] == bot_id or mentioned:
            return data
        # Without the privileged intent Discord blanks these fields, a classic "works locally" bug.
        return {**data, "content": "", "embeds": [], "attachments": [], "components": []}

    async def send_op(self, payload: dict[str, Any]) -> None:
        if self.live is not None:
            await self.live.send(payload)

    async def close(self) -> None:
        for conn in list(self.connections):
            await conn.ws.close()
