"""The fake gateway: HELLO/IDENTIFY/READY/GUILD_CREATE, heartbeats, RESUME, shards and sequenced dispatches.

Sharded like Discord: an IDENTIFY with ``shard: [id, count]`` starts a session that is sent only the servers
with ``(guild_id >> 22) % count == id`` (direct messages only to shard 0); an IDENTIFY without ``shard``
gets everything. Every dispatch goes to the newest session whose shard owns the server. Session starts are
rate limited as Discord does it: one IDENTIFY per bucket (``shard_id % max_concurrency``) per window across
all connections, a second one in the window is refused with op 9 INVALID_SESSION (d=false).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .models import IdentifyRecord, Json, shard_of

if TYPE_CHECKING:
    from .server import FakeDiscord

HEARTBEAT_INTERVAL_MS = 41250
GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
MESSAGE_CONTENT = 1 << 15
# Events that name their server by `id` rather than `guild_id`.
GUILD_ITSELF = ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE")


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
        self.session: Session | None = None  # the session this connection identified or resumed

    async def send(self, payload: Json) -> None:
        raw = json.dumps(payload).encode()
        async with self.lock:
            if self.compress is None:
                await self.ws.send_str(raw.decode())
            else:
                await self.ws.send_bytes(self.compress(raw))


class Session:
    """One bot session, started by one IDENTIFY. Its dispatches are logged with their sequence number, so a
    RESUME can replay what was missed and a test can see what this shard was sent."""

    def __init__(self, fake: FakeDiscord, session_id: str, shard: tuple[int, int] | None, intents: int) -> None:
        self.fake = fake
        self.id = session_id
        self.shard = shard
        self.intents = intents
        self.events: list[Json] = []  # every dispatch of this session, for replay
        self.live: Connection | None = None
        self.ready = False  # READY and its GUILD_CREATEs sent

    @property
    def shard_id(self) -> int:
        return self.shard[0] if self.shard else 0

    def owns(self, guild_id: int | None) -> bool:
        """Whether Discord sends this session the events of `guild_id` (None: a direct message)."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return shard_id == 0 if guild_id is None else shard_of(guild_id, count) == shard_id

    def dispatched(self, event: str) -> list[Json]:
        """The payloads of every `event` this session was sent."""
        return [e["d"] for e in self.events if e["t"] == event]

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

    def __repr__(self) -> str:
        return f"<Session {self.id[:8]} shard={list(self.shard) if self.shard else None} events={len(self.events)}>"


class Gateway:
    """Every connection and session of the bot, and the routing of events to the shard that owns them."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.sessions: list[Session] = []  # oldest first
        self.identify_log: list[IdentifyRecord] = []  # every IDENTIFY, accepted or refused
        self.identifies = 0  # sessions started
        self.resumes = 0
        self.connections: set[Connection] = set()
        self.ready = asyncio.Event()  # set when the first session has been sent its guilds

    @property
    def refused(self) -> list[IdentifyRecord]:
        """The IDENTIFYs invalidated for coming within the window of another in their bucket."""
        return [r for r in self.identify_log if not r.accepted]

    def session(self, shard_id: int | None = None) -> Session | None:
        """The newest session holding `shard_id` (None: the newest session of all)."""
        for session in reversed(self.sessions):
            if shard_id is None or (session.shard is not None and session.shard[0] == shard_id):
                return session
        return None

    def owner(self, guild_id: int | None) -> Session | None:
        """The session Discord would send `guild_id`'s events to (None: direct messages)."""
        return next((s for s in reversed(self.sessions) if s.owns(guild_id)), None)

    def is_ready(self, shard_ids: list[int] | None = None) -> bool:
        if shard_ids is None:
            return self.ready.is_set()
        return all((s := self.session(k)) is not None and s.ready for k in shard_ids)

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
            if conn.session is not None and conn.session.live is conn:
                conn.session.live = None
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
            session = next((s for s in self.sessions if s.id == d.get("session_id")), None)
            if session is None or not self.fake.token_ok(d.get("token")):
                await conn.send({"op": 9, "d": False, "s": None, "t": None})
                return
            self.resumes += 1
            session.live, conn.session = conn, session
            for event in session.events:
                if event["s"] > (d.get("seq") or 0):
                    await conn.send(event)
            await session.dispatch("RESUMED", {})
        elif op == 8 and conn.session is not None:  # REQUEST_GUILD_MEMBERS: everyone, so chunking bots don't hang
            guild = self.fake.guild_of(int(d["guild_id"]))
            await conn.session.dispatch("GUILD_MEMBERS_CHUNK", {
                "guild_id": str(guild.id), "members": [m.to_dict() for m in guild.members],
                "chunk_index": 0, "chunk_count": 1, "not_found": [], "nonce": d.get("nonce")})
        # op 3 (presence) and the rest are accepted and ignored.

    async def _identify(self, conn: Connection, d: Json) -> None:
        fake = self.fake
        shard: tuple[int, int] | None = None
        if d.get("shard") is not None:
            shard_id, count = (int(x) for x in d["shard"])
            if count < 1 or not 0 <= shard_id < count:
                await conn.ws.close(code=4010, message=b"Invalid shard.")
                return
            shard = (shard_id, count)
        now = time.monotonic()
        bucket = (shard[0] if shard else 0) % fake.max_concurrency
        last = next((r for r in reversed(self.identify_log) if r.accepted and r.bucket == bucket), None)
        if last is not None and now - last.at < fake.identify_window:
            self.identify_log.append(IdentifyRecord(now, shard, bucket, None, accepted=False))
            await conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        session = Session(fake, secrets.token_hex(16), shard, int(d.get("intents") or 0))
        self.identify_log.append(IdentifyRecord(now, shard, bucket, session.id, accepted=True))
        self.identifies += 1
        self.sessions.append(session)
        session.live, conn.session = conn, session
        guilds = [g for g in fake.guilds if session.owns(g.id)]
        ready: Json = {
            "v": 10, "user": fake.bot_user.to_dict(), "session_id": session.id,
            "resume_gateway_url": fake.gateway_url, "private_channels": [], "relationships": [],
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "application": {"id": str(fake.application_id), "flags": fake.application_flags},
        }
        if shard is not None:
            ready["shard"] = list(shard)
        await session.dispatch("READY", ready)
        # Full guild payloads right away: discord.py fires on_ready guild_ready_timeout after the last one.
        for guild in guilds:
            data = guild.to_dict()
            if not session.intents & GUILD_MEMBERS:  # without the privileged intent Discord only sends the bot itself
                data["members"] = [fake.bot_member_in(guild.id).to_dict()]
            await session.dispatch("GUILD_CREATE", data)
        session.ready = True
        self.ready.set()

    async def dispatch(self, event: str, data: Json) -> None:
        """Send an event to the session whose shard owns its server (dropped when no session does, as
        Discord drops events for a shard nobody is connected as)."""
        guild_id = data.get("id") if event in GUILD_ITSELF else data.get("guild_id")
        session = self.owner(int(guild_id) if guild_id is not None else None)
        if session is not None:
            await session.dispatch(event, data)

    async def dispatch_message(self, event: str, data: Json) -> None:
        """MESSAGE_CREATE/UPDATE, as the owning session's intents let it see the message."""
        guild_id = data.get("guild_id")
        session = self.owner(int(guild_id) if guild_id is not None else None)
        if session is not None and (seen := session.sees_message(data)) is not None:
            await session.dispatch(event, seen)

    async def send_op(self, payload: dict[str, Any]) -> None:
        """A non-dispatch op (e.g. 7 RECONNECT) to every connected session."""
        for session in self.sessions:
            if session.live is not None and not session.live.ws.closed:
                await session.live.send(payload)

    async def close(self) -> None:
        for conn in list(self.connections):
            await conn.ws.close()
