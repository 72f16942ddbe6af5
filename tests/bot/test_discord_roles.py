"""Moderator rights come from role ids: a role someone makes and names "Moderator" grants nothing."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.store import Store
from tests.bot.conftest import bot_settings, start_bot
from tests.fakediscord.models import MANAGE_ROLES, Member
from tests.fakediscord.server import FakeDiscord

MODERATOR_COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("refresh", {}),
    ("report", {}),
    ("add", {"url": "https://example.com/planted"}),
    ("add", {"file": ("planted.md", b"Planted\n\nThe minister said the bridge was sold to a private owner.\n")}),
    ("remove", {"article": "003_2c1112b90513d27d.txt"}),
]


async def refused_everything(fake: FakeDiscord, user: Member) -> list[str]:
    """Every moderator command, run by ``user``: what each one answered (all should refuse)."""
    answers = []
    for name, options in MODERATOR_COMMANDS:
        interaction = await fake.invoke_command(name, options, user=user, channel=fake.general)
        callback = await interaction.wait_callback()
        answers.append(f"/{name}: {callback.data.get('content', '(deferred: it ran)')}")
    return answers


def moderator_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("event=moderator_roles")]


async def test_a_role_made_and_named_moderator_after_start_grants_nothing(
    fake_discord: FakeDiscord, corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = fake_discord
    manager = fake.add_member("manager", fake.add_role("Role Manager", MANAGE_ROLES))
    bot = start_bot(bot_settings(fake, corpus, tmp_path / "state"))  # moderator_roles = ["Moderator"], a name
    async with fake.running(bot):
        for name in ("moderator", "Moderator", "MODERATOR"):
            made = await fake.create_role(name, by=manager)
            await fake.set_roles(manager, *manager.roles, made, by=manager)
        await asyncio.sleep(0.05)
        answers = await refused_everything(fake, manager)
        assert all("Only moderators" in a for a in answers), answers
        assert (corpus / "003_2c1112b90513d27d.txt").is_file() and not list(corpus.glob("planted*"))
        assert bot.store.last_refresh() is None

        real = await fake.invoke_command("report", {}, user=fake.moderator)  # the role the name meant at start
        assert "embeds" in (await real.wait_callback()).data
    bot.store.close()
    assert f"event=moderator_roles guild={fake.guild.id} resolved name='Moderator' id={fake.moderator_role.id}" in moderator_lines(caplog)
    assert fake.all_pings() == set()


async def test_roles_configured_by_id(fake_discord: FakeDiscord, corpus: Path, tmp_path: Path) -> None:
    fake = fake_discord
    desk_role = fake.add_role("Desk")
    editor = fake.add_member("editor", desk_role)
    bot = start_bot(bot_settings(fake, corpus, tmp_path / "state", moderator_roles=[desk_role.id]))
    async with fake.running(bot):
        allowed = await fake.invoke_command("report", {}, user=editor)
        assert "embeds" in (await allowed.wait_callback()).data
        await fake.rename_role(desk_role, "Anything")  # an id keeps meaning the same role whatever it is called
        await asyncio.sleep(0.05)
        again = await fake.invoke_command("report", {}, user=editor)
        assert "embeds" in (await again.wait_callback()).data
        answers = await refused_everything(fake, fake.moderator)  # "Moderator" is no longer configured
        assert all("Only moderators" in a for a in answers), answers
    bot.store.close()


async def test_a_name_matching_several_roles_at_start_grants_nothing(
    fake_discord: FakeDiscord, corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = fake_discord
    fake.add_role("moderator")  # made before the bot starts: the name no longer says which role is meant
    bot = start_bot(bot_settings(fake, corpus, tmp_path / "state", moderator_roles=["Moderator", "Editors"]))
    async with fake.running(bot):
        answers = await refused_everything(fake, fake.moderator)
        assert all("Only moderators" in a for a in answers), answers
        owner = await fake.invoke_command("report", {}, user=fake.owner)  # Manage Server always counts
        assert "embeds" in (await owner.wait_callback()).data
    bot.store.close()
    lines = moderator_lines(caplog)
    assert any(f"guild={fake.guild.id} unresolved name='Moderator' reason=2 roles have that name" in line for line in lines), lines
    assert any(f"guild={fake.guild.id} unresolved name='Editors' reason=no role has that name" in line for line in lines), lines


async def test_role_names_stored_by_an_older_version_become_ids(
    fake_discord: FakeDiscord, corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = fake_discord
    helper_role = fake.add_role("Helper")
    helper = fake.add_member("helper", helper_role)
    manager = fake.add_member("manager", fake.add_role("Role Manager", MANAGE_ROLES))
    state = tmp_path / "state"
    Store(state / "newsdesk.db").close()
    db = sqlite3.connect(state / "newsdesk.db")  # what /settings moderator-role wrote before: names
    db.execute("INSERT INTO guild_settings (guild_id, moderator_roles) VALUES (?, ?)", (fake.guild.id, '["Helper", "Gone"]'))
    db.commit()
    db.close()

    bot = start_bot(bot_settings(fake, corpus, state))
    async with fake.running(bot):
        for _ in range(100):
            if not bot.store.legacy_moderator_roles():
                break
            await asyncio.sleep(0.01)
        assert bot.store.guild_settings(fake.guild.id)["moderator_role_ids"] == [helper_role.id]
        allowed = await fake.invoke_command("report", {}, user=helper)
        assert "embeds" in (await allowed.wait_callback()).data
        made = await fake.create_role("Helper", by=manager)
        await fake.set_roles(manager, *manager.roles, made, by=manager)
        await asyncio.sleep(0.05)
        answers = await refused_everything(fake, manager)
        assert all("Only moderators" in a for a in answers), answers
    bot.store.close()
    lines = moderator_lines(caplog)
    assert f"event=moderator_roles guild={fake.guild.id} resolved name='Helper' id={helper_role.id} from=stored setting" in lines
    assert any("unresolved name='Gone'" in line for line in lines), lines


async def test_settings_store_role_ids(fake_discord: FakeDiscord, corpus: Path, tmp_path: Path) -> None:
    fake = fake_discord
    helper_role = fake.add_role("Helper")
    helper = fake.add_member("helper", helper_role)
    manager = fake.add_member("manager", fake.add_role("Role Manager", MANAGE_ROLES))
    bot = start_bot(bot_settings(fake, corpus, tmp_path / "state", moderator_roles=[]))
    async with fake.running(bot):
        done = await fake.invoke_command("settings", {"action": "add", "role": helper_role}, subcommand="moderator-role", user=fake.owner)
        card = (await done.wait_callback()).data
        assert f"<@&{helper_role.id}>" in str(card["embeds"])
        assert bot.store.guild_settings(fake.guild.id)["moderator_role_ids"] == [helper_role.id]
        made = await fake.create_role("Helper", by=manager)  # same name, another role
        await fake.set_roles(manager, *manager.roles, made, by=manager)
        await asyncio.sleep(0.05)
        assert all("Only moderators" in a for a in await refused_everything(fake, manager))
        allowed = await fake.invoke_command("report", {}, user=helper)
        assert "embeds" in (await allowed.wait_callback()).data
        removed = await fake.invoke_command("settings", {"action": "remove", "role": helper_role}, subcommand="moderator-role", user=fake.owner)
        await removed.wait_callback()
        assert all("Only moderators" in a for a in await refused_everything(fake, helper))
    bot.store.close()
    assert fake.all_pings() == set()
