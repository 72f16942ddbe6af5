"""The one table of per-server settings keys: config defaults, store codec, merge, /settings show and the cooldown they feed."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from discord import app_commands

from bot.cooldowns import QuestionCooldown
from bot.exts.guild import settings_embed
from bot.server_settings import KEYS, GuildConfig, effective
from bot.settings import DiscordSettings
from bot.store import Store

#: A value for every key, unlike its default: a key added to the table without one fails here.
SAMPLES: dict[str, Any] = {
    "ask_channels": frozenset({11, 12}),
    "moderator_role_ids": frozenset({21}),
    "cooldown_questions": 5,
    "cooldown_seconds": 12.5,
    "threads": True,
    "moderator_channel": 31,
}


def test_every_key_defaults_to_a_discord_setting_and_has_a_sample() -> None:
    assert [key.name for key in KEYS] == [field.name for field in dataclasses.fields(GuildConfig)]
    assert {key.config for key in KEYS} <= set(DiscordSettings.model_fields)
    assert set(SAMPLES) == {key.name for key in KEYS}


def test_every_key_round_trips_through_the_store_and_the_merge(tmp_path: Path) -> None:
    store = Store(tmp_path / "newsdesk.db")
    defaults = DiscordSettings()
    for name, value in SAMPLES.items():
        store.set_guild_setting(7, name, value)
    config = effective(defaults, store.guild_settings(7), role_ids=frozenset())
    assert {name: getattr(config, name) for name in SAMPLES} == SAMPLES
    store.set_guild_setting(7, "moderator_channel", None)  # cleared: the config file's value again
    assert effective(defaults, store.guild_settings(7), role_ids=frozenset()).moderator_channel == defaults.moderator_channel
    with pytest.raises(KeyError):
        store.set_guild_setting(7, "no_such_key", 1)
    store.close()


def test_without_overrides_the_config_file_decides() -> None:
    defaults = DiscordSettings(ask_channels=[5], cooldown_seconds=3, moderator_roles=["Moderator", 8])
    config = effective(defaults, {}, role_ids=frozenset({8, 9}))  # the ids the roles stand for in this server
    assert config == GuildConfig(
        ask_channels=frozenset({5}), moderator_role_ids=frozenset({8, 9}), cooldown_questions=defaults.cooldown_questions,
        cooldown_seconds=3, threads=False, moderator_channel=None,
    )


def test_settings_show_has_a_line_per_labelled_key() -> None:
    config = effective(DiscordSettings(), SAMPLES, role_ids=frozenset())
    embed = settings_embed(config)
    assert [field.name for field in embed.fields] == [key.label for key in KEYS if key.label]
    shown = {field.name: field.value for field in embed.fields}
    assert shown["Cooldown"] == "5 questions per 12.5 s" and shown["Ask channels"] == "<#11>, <#12>"


def test_channel_questions_and_slash_commands_draw_on_one_bucket_per_rule() -> None:
    rule = {"cooldown_questions": 1, "cooldown_seconds": 60.0}
    cooldowns = QuestionCooldown(lambda guild_id: effective(DiscordSettings(), rule, role_ids=frozenset()))
    now = datetime.now(UTC)
    cooldowns.take(1, 42, now)  # a question in a channel
    bucket = cooldowns.bucket(cooldowns.asker(1, 42))  # what /ask's dynamic cooldown is handed
    assert bucket is not None and bucket.get_tokens(now.timestamp()) == 0
    with pytest.raises(app_commands.CommandOnCooldown):
        cooldowns.take(1, 42, now)
    cooldowns.take(2, 42, now)  # another server, its own bucket
    rule["cooldown_questions"] = 2  # the server changed its rule: a fresh allowance under it
    cooldowns.take(1, 42, now)
    rule["cooldown_seconds"] = 0  # no cooldown at all
    for _ in range(5):
        cooldowns.take(1, 42, now)
