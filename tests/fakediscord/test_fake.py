"""Proves the fake against a real discord.py commands.Bot: gateway, REST, interactions, limits and pings."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from .limits import DiscordError, check_message, compute_pings
from .server import FakeDiscord


class ProbeBot(commands.Bot):
    """A throwaway bot: each test adds the handlers it needs; `outcome` carries results out of handlers."""

    def __init__(self, *, message_content: bool = True, **options: Any) -> None:
        intents = discord.Intents.default()
        intents.message_content = message_content
        intents.members = True
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05, **options)
        self.outcome: asyncio.Future[Any] = asyncio.get_running_loop().create_future()


def signal(event: asyncio.Event) -> Any:
    async def listener(*_: Any) -> None:
        event.set()
    return listener


def guild_of(fake: FakeDiscord) -> discord.Object:
    return discord.Object(fake.guild.id)


async def test_connects_and_fires_on_ready(fake_discord: FakeDiscord) -> None:
    bot = ProbeBot()
    ready = asyncio.Event()
    bot.add_listener(signal(ready), "on_ready")
    async with fake_discord.running(bot):
        assert ready.is_set()
        guild = bot.get_guild(fake_discord.guild.id)
        assert guild is not None and not guild.unavailable
        assert {c.name for c in guild.text_channels} == {"general", "news"}
        assert guild.me.id == fake_discord.bot_user.id
        owner = guild.get_member(fake_discord.owner.id)
        assert owner is not None and owner.guild_permissions.manage_guild
        moderator = guild.get_member(fake_discord.moderator.id)
        assert moderator is not None and moderator.roles[-1].name == "Moderator"
        assert not guild.get_member(fake_discord.member.id).guild_permissions.manage_guild  # type: ignore[union-attr]
    assert fake_discord.gateway.identifies == 1
    assert fake_discord.unknown_routes == [] and fake_discord.errors == []


async def test_json_content_type_is_exact(fake_discord: FakeDiscord) -> None:
    async with aiohttp.ClientSession(headers={"Authorization": "Bot t"}) as session:
        async with session.get(f"{fake_discord.base_url}/api/v10/users/@me") as resp:
            assert resp.headers["Content-Type"] == "application/json"
        async with session.get(f"{fake_discord.base_url}/api/v10/nope") as resp:
            assert resp.status == 404 and (await resp.json())["code"] == 0
    assert fake_discord.unknown_routes == ["GET /api/v10/nope"]


async def test_reply_with_allowed_mentions_none_pings_nobody(fake_discord: FakeDiscord) -> None:
    bot = ProbeBot()

    @bot.listen()
    async def on_message(message: discord.Message) -> None:
        if not message.author.bot:
            await message.reply(f"{message.author.mention} @everyone {fake_discord.moderator_role.mention}",
                                allowed_mentions=discord.AllowedMentions.none())

    async with fake_discord.running(bot):
        asked = await fake_discord.send_message(fake_discord.general, fake_discord.member, "hello")
        answer = await fake_discord.wait_for_message()
    assert answer.data["message_reference"]["message_id"] == str(asked.id)
    assert answer.pings == set() and answer.data["mentions"] == [] and not answer.data["mention_everyone"]
    assert fake_discord.all_pings() == set()


async def test_reply_without_allowed_mentions_pings(fake_discord: FakeDiscord) -> None:
    bot = ProbeBot()

    @bot.listen()
    async def on_message(message: discord.Message) -> None:
        if not message.author.bot:
            await message.reply(message.content)  # echoes whatever the user wrote

    async with fake_discord.running(bot):
        await fake_discord.send_message(fake_discord.general, fake_discord.member, "@everyone",
                                        mentions=[fake_discord.owner])
        answer = await fake_discord.wait_for_message()
    assert answer.content == f"{fake_discord.owner.mention} @everyone"
    # @everyone, the owner named in the content, and the replied-to author (replies ping by default).
    assert answer.pings == {"everyone", f"user:{fake_discord.owner.id}", f"user:{fake_discord.member.id}"}


async def test_message_content_needs_the_intent(fake_discord: FakeDiscord) -> None:
    bot = ProbeBot(message_content=False)

    @bot.listen()
    async def on_message(message: discord.Message) -> None:
        if not message.author.bot and not bot.outcome.done():
            bot.outcome.set_result(message.content)

    async with fake_discord.running(bot):
        await fake_discord.send_message(fake_discord.general, fake_discord.member, "secret words")
        assert await asyncio.wait_for(bot.outcome, 5) == ""


async def test_slash_commands_respond_defer_followup_ephemeral(fake_discord: FakeDiscord) -> None:
    bot = ProbeBot()

    @bot.tree.command(description="say hi")
    async def hello(interaction: discord.Interaction, name: str, times: int = 1) -> None:
        perms = interaction.permissions.manage_guild
        await interaction.response.send_message(f"hi {name} x{times} admin={perms}")

    @bot.tree.command(description="slow")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("done")
        await interaction.followup.send("and more")

    @bot.tree.command(description="secret")
    async def secret(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("psst", ephemeral=True)
        await interaction.edit_original_response(content="psst (edited)")

    async with fake_discord.running(bot):
        bot.tree.copy_global_to(guild=guild_of(fake_discord))
        synced = await bot.tree.sync(guild=guild_of(fake_discord))
        assert {c.name for c in synced} == {"hello", "slow", "secret"} and all(c.id for c in synced)
        assert len(fake_discord.command_syncs) == 1

        ia = await fake_discord.invoke_command("hello", {"name": "Ada", "times": 2}, user=fake_discord.owner)
        assert (await ia.wait_callback()).type == 4
        assert (await fake_discord.wait_for_message()).content == "hi Ada x2 admin=True"

        ia = await fake_discord.invoke_command("slow")
        assert (await ia.wait_callback()).type == 5
        done = await fake_discord.wait_for_message(lambda m: m.content == "done")
        more = await fake_discord.wait_for_message(lambda m: m.content == "and more")
        # The first followup fills in the "thinking" placeholder and inherits the defer's ephemerality.
        assert done is ia.original and done.ephemeral and not done.flags & 128
        assert ia.followups == [more] and not more.ephemeral

        ia = await fake_discord.invoke_command("secret")
        edited = await fake_discord.wait_for_message(lambda m: m.content == "psst (edited)")
        assert ia.ephemeral and edited is ia.original and edited.history[0]["content"] == "psst"
        assert edited not in fake_discord.channel_messages(fake_discord.general.id)

        with pytest.raises(ValueError):
            await fake_discord.invoke_command("hello", {"nope": 1})
    assert fake_discord.errors == [] and fake_discord.unknown_routes == []


async def test_subcommand_group_with_member_and_channel_options(fake_discord: FakeDiscord) -> None:
    bot = ProbeBot()
    admin = app_commands.Group(name="admin", description="admin")
    notes = app_commands.Group(name="notes", description="notes", parent=admin)

    @notes.command(description="add a note")
    async def add(interaction: discord.Interaction, who: discord.Member, where: discord.TextChannel) -> None:
        is_mod = any(r.name == "Moderator" for r in who.roles)
        await interaction.response.send_message(f"{who.name} mod={is_mod} in #{where.name}")

    bot.tree.add_command(admin)
    async with fake_discord.running(bot):
        await bot.tree.sync()
        await fake_discord.invoke_command("admin", {"who": fake_discord.moderator, "where": fake_discord.news},
                                          subcommand="notes add")
        assert (await fake_discord.wait_for_message()).content == "moderator mod=True in #news"
        with pytest.raises(TypeError):
            await fake_discord.invoke_command("admin", {"who": "moderator", "where": fake_discord.news},
                                              subcommand="notes add")


async def test_button_view_round_trip(fake_discord: FakeDiscord) -> None:
    bot = ProbeBot()

    class Vote(discord.ui.View):
        @discord.ui.button(label="Yes", custom_id="vote:yes")
        async def yes(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
            await interaction.response.edit_message(content=f"counted {interaction.user.name}", view=None)

    @bot.tree.command(description="vote")
    async def vote(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("vote now", view=Vote())

    async with fake_discord.running(bot):
        await bot.tree.sync()
        await fake_discord.invoke_command("vote")
        posted = await fake_discord.wait_for_message()
        click = await fake_discord.click(posted, "vote:yes", user=fake_discord.moderator)
        assert (await click.wait_callback()).type == 7
        updated = await fake_discord.wait_for_message()
    assert updated is posted and updated.content == "counted moderator" and updated.components == []


async def test_autocomplete_and_modal(fake_discord: FakeDiscord) -> None:
    bot = ProbeBot()

    class Feedback(discord.ui.Modal, title="Feedback"):
        text: discord.ui.TextInput[Feedback] = discord.ui.TextInput(label="What?", custom_id="fb:text")

        async def on_submit(self, interaction: discord.Interaction) -> None:
            await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)

    @bot.tree.command(description="pick")
    async def pick(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.send_modal(Feedback())

    @pick.autocomplete("topic")
    async def topics(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in ("politics", "sport") if t.startswith(current)]

    async with fake_discord.running(bot):
        bot.tree.copy_global_to(guild=guild_of(fake_discord))
        await bot.tree.sync(guild=guild_of(fake_discord))
        ac = await fake_discord.autocomplete("pick", {"topic": "po"}, focused="topic")
        assert (await ac.wait_callback()).data["choices"] == [{"name": "politics", "value": "politics"}]
        opened = await fake_discord.invoke_command("pick", {"topic": "politics"})
        assert (await opened.wait_callback()).type == 9
        await fake_discord.submit_modal(opened, {"fb:text": "great"})
        thanks = await fake_discord.wait_for_message()
    assert thanks.content == "thanks: great" and thanks.ephemeral


async def test_over_limit_embed_is_rejected(fake_discord: FakeDiscord) -> None:
    bot = ProbeBot()

    @bot.tree.command(description="big")
    async def big(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message(embed=discord.Embed(title="x" * 257))
        except discord.HTTPException as exc:
            bot.outcome.set_result(exc)

    async with fake_discord.running(bot):
        await bot.tree.sync()
        ia = await fake_discord.invoke_command("big")
        exc = await asyncio.wait_for(bot.outcome, 5)
    assert (exc.status, exc.code) == (400, 50035) and "embeds.0.title" in exc.text
    assert not ia.acked and fake_discord.errors[0].body["errors"]["embeds"]["0"]["title"]


async def test_late_response_is_unknown_interaction(fake_discord: FakeDiscord) -> None:
    fake_discord.interaction_timeout = 0.2
    bot = ProbeBot()

    @bot.tree.command(description="late")
    async def late(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.3)
        try:
            await interaction.response.send_message("too late")
        except discord.NotFound as exc:
            bot.outcome.set_result(exc)

    async with fake_discord.running(bot):
        await bot.tree.sync()
        await fake_discord.invoke_command("late")
        exc = await asyncio.wait_for(bot.outcome, 5)
    assert exc.code == 10062 and fake_discord.bot_messages() == []


async def test_double_ack_is_rejected(fake_discord: FakeDiscord) -> None:
    bot = ProbeBot()
    codes: list[int] = []

    @bot.tree.command(description="once")
    async def once(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message("ok")
            codes.append(0)
        except discord.HTTPException as exc:
            codes.append(exc.code)

    async with fake_discord.running(bot):
        await bot.tree.sync()
        ia = await fake_discord.invoke_command("once")
        await ia.wait_callback()
        await fake_discord.redeliver(ia)  # a gateway replay: discord.py builds a fresh Interaction
        for _ in range(100):
            if len(codes) == 2:
                break
            await asyncio.sleep(0.01)
    assert codes == [0, 40060]


async def test_ephemeral_message_is_invisible_to_channel_routes(fake_discord: FakeDiscord) -> None:
    bot = ProbeBot()

    @bot.tree.command(description="eph")
    async def eph(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("only you", ephemeral=True)
        message = await interaction.original_response()
        try:
            await interaction.channel.get_partial_message(message.id).delete()  # type: ignore[union-attr]
        except discord.NotFound as exc:
            await interaction.delete_original_response()
            bot.outcome.set_result(exc.code)

    async with fake_discord.running(bot):
        await bot.tree.sync()
        ia = await fake_discord.invoke_command("eph")
        assert await asyncio.wait_for(bot.outcome, 5) == 10008
    assert ia.original is not None and ia.original.deleted


async def test_typing_and_attachment_upload(fake_discord: FakeDiscord) -> None:
    bot = ProbeBot(allowed_mentions=discord.AllowedMentions.none())

    @bot.command()
    async def report(ctx: commands.Context[ProbeBot]) -> None:
        attached = await ctx.message.attachments[0].read()
        async with ctx.typing():
            await ctx.send(f"report for {ctx.author.mention}", file=discord.File(io.BytesIO(attached), "report.txt"))

    async with fake_discord.running(bot):
        await fake_discord.send_message(fake_discord.news, fake_discord.member, "!report",
                                        attachments=[("in.txt", b"raw bytes")])
        sent = await fake_discord.wait_for_message()
    assert [t.channel_id for t in fake_discord.typing_events] == [fake_discord.news.id]
    assert sent.files == [("report.txt", b"raw bytes")] and sent.attachments[0]["filename"] == "report.txt"
    assert sent.pings == set()  # the client-wide AllowedMentions.none() applies


async def test_rate_limit_is_retried_and_resume_replays(fake_discord: FakeDiscord) -> None:
    bot = ProbeBot()
    resumed = asyncio.Event()
    bot.add_listener(signal(resumed), "on_resumed")

    @bot.command()
    async def ping(ctx: commands.Context[ProbeBot]) -> None:
        await ctx.send("pong")

    async with fake_discord.running(bot):
        fake_discord.inject_rate_limit("/messages", retry_after=0.05)
        await fake_discord.send_message(fake_discord.general, fake_discord.member, "!ping")
        assert (await fake_discord.wait_for_message()).content == "pong"
        assert len(fake_discord.rate_limited) == 1 and fake_discord.errors == []

        await fake_discord.force_reconnect()
        await asyncio.wait_for(resumed.wait(), 5)
        await fake_discord.send_message(fake_discord.general, fake_discord.member, "!ping")
        assert (await fake_discord.wait_for_message()).content == "pong"
    assert (fake_discord.gateway.identifies, fake_discord.gateway.resumes) == (1, 1)


# -- the rules themselves, without a bot ---------------------------------------------------------

def button(label: str = "b", custom_id: str = "c") -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": label, "custom_id": custom_id}


@pytest.mark.parametrize("message, code", [
    ({"content": "x" * 2001}, 50035),
    ({"embeds": [{"description": "x" * 4097}]}, 50035),
    ({"embeds": [{"title": "t"}] * 11}, 50035),
    ({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, 50035),
    ({"embeds": [{"fields": [{"name": "n", "value": "x" * 1025}]}]}, 50035),
    ({"embeds": [{"footer": {"text": "x" * 2049}}]}, 50035),
    ({"embeds": [{"author": {"name": "x" * 257}}]}, 50035),
    ({"embeds": [{"description": "x" * 4000}, {"description": "x" * 2001}]}, 50035),
    ({"components": [{"type": 1, "components": [button()]}] * 6}, 50035),
    ({"components": [{"type": 1, "components": [button(custom_id=f"c{i}") for i in range(6)]}]}, 50035),
    ({"components": [{"type": 1, "components": [button(label="x" * 81)]}]}, 50035),
    ({"components": [{"type": 1, "components": [button(custom_id="x" * 101)]}]}, 50035),
    ({"components": [{"type": 1, "components": [
        {"type": 3, "custom_id": "s", "options": [{"label": str(i), "value": str(i)} for i in range(26)]}]}]}, 50035),
    ({"content": "hi", "allowed_mentions": {"parse": ["users"], "users": ["1"]}}, 50035),
    ({"content": ""}, 50006),
])
def test_limits_reject_like_discord(message: dict[str, Any], code: int) -> None:
    with pytest.raises(DiscordError) as info:
        check_message(message, has_files=False)
    assert info.value.status == 400 and info.value.body["code"] == code


def test_limits_accept_the_maximum() -> None:
    maximal = {"content": "x" * 2000, "embeds": [{"title": "x" * 256, "description": "x" * 4096}],
               "components": [{"type": 1, "components": [button(custom_id=f"{i}" * 100) for i in range(5)]}]}
    check_message(maximal, has_files=False)


@pytest.mark.parametrize("allowed, expected", [
    (None, {"everyone", "user:1", "role:5", "user:9"}),
    ({"parse": []}, set()),
    ({"parse": ["users"]}, {"user:1"}),
    ({"parse": [], "users": ["1"], "replied_user": True}, {"user:1", "user:9"}),
    ({"parse": ["everyone"], "roles": ["5"]}, {"everyone", "role:5"}),
])
def test_pings_follow_allowed_mentions(allowed: dict[str, Any] | None, expected: set[str]) -> None:
    content = "<@1> <@!2> @everyone <@&5>"
    got = compute_pings(content, allowed, replied_author=9, sender=2)
    assert got == expected


async def test_roles_created_and_given_while_running_reach_the_cache(fake_discord: FakeDiscord) -> None:
    from .models import MANAGE_ROLES

    bot = ProbeBot()
    manager = fake_discord.add_member("manager", fake_discord.add_role("Role Manager", MANAGE_ROLES))
    editors = fake_discord.add_role("Editors")  # added last: above the manager's role
    async with fake_discord.running(bot):
        with pytest.raises(DiscordError):  # no Manage Roles
            await fake_discord.create_role("mine", by=fake_discord.member)
        role = await fake_discord.create_role("moderator", by=manager)
        await fake_discord.set_roles(manager, *manager.roles, role, by=manager)
        with pytest.raises(DiscordError):  # above the manager's own highest role
            await fake_discord.set_roles(manager, *manager.roles, editors, by=manager)
        await fake_discord.rename_role(role, "renamed")
        for _ in range(100):
            guild = bot.get_guild(fake_discord.guild.id)
            member = guild.get_member(manager.id) if guild else None
            if member is not None and role.id in [r.id for r in member.roles] and guild.get_role(role.id).name == "renamed":  # type: ignore[union-attr]
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the role never reached discord.py's cache")
        assert guild is not None and guild.get_role(role.id).position == 1  # type: ignore[union-attr]
