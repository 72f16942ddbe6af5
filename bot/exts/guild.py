"""``/settings``: a server's own ask channels, moderator roles, cooldown, threads and moderator channel (Manage Server).

Which keys there are, their defaults and how they are shown come from bot/server_settings.py.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from ..checks import manager_only
from ..client import NewsdeskBot
from ..render import COLOUR, NO_PINGS, clip
from ..server_settings import KEYS, GuildConfig


def settings_embed(config: GuildConfig) -> discord.Embed:
    embed = discord.Embed(title="newsdesk settings for this server", colour=COLOUR)
    for key in KEYS:
        if key.label is not None:
            embed.add_field(name=key.label, value=clip(key.show(config), 1024), inline=key.inline)
    return embed


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class GuildSettings(commands.GroupCog, group_name="settings", group_description="newsdesk settings for this server (Manage Server)"):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot
        super().__init__()

    async def _set(self, interaction: discord.Interaction, key: str, value: Any) -> None:
        assert interaction.guild_id is not None
        await asyncio.to_thread(self.bot.store.set_guild_setting, interaction.guild_id, key, value)
        await self.bot.servers.changed(interaction.guild_id)
        await interaction.response.send_message(
            "Saved.", embed=settings_embed(self.bot.servers.config(interaction.guild_id)), ephemeral=True, allowed_mentions=NO_PINGS
        )

    @app_commands.command(name="show", description="Show this server's settings.")
    @manager_only()
    async def show(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            embed=settings_embed(self.bot.servers.config(interaction.guild_id)), ephemeral=True, allowed_mentions=NO_PINGS
        )

    @app_commands.command(name="ask-channel", description="Add or remove a channel where every question is answered.")
    @app_commands.describe(action="Add the channel, or remove it", channel="A channel where questions ending in ? are answered without a mention")
    @manager_only()
    async def ask_channel(
        self, interaction: discord.Interaction, action: Literal["add", "remove"], channel: discord.TextChannel
    ) -> None:
        current = self.bot.servers.config(interaction.guild_id).ask_channels
        await self._set(interaction, "ask_channels", current | {channel.id} if action == "add" else current - {channel.id})

    @app_commands.command(name="moderator-role", description="Add or remove a role whose members may refresh and add coverage.")
    @app_commands.describe(action="Add the role, or remove it", role="Members with it may /refresh, /add, /remove and /report")
    @manager_only()
    async def moderator_role(self, interaction: discord.Interaction, action: Literal["add", "remove"], role: discord.Role) -> None:
        # By id: a role's name can be copied by anyone who can create roles.
        current = self.bot.servers.config(interaction.guild_id).moderator_role_ids
        await self._set(interaction, "moderator_role_ids", current | {role.id} if action == "add" else current - {role.id})

    @app_commands.command(name="cooldown", description="How many questions each person may ask per time window.")
    @app_commands.describe(questions="Questions each person may ask per window (1\u2013100)", seconds="The window in seconds; 0 turns the cooldown off")
    @manager_only()
    async def cooldown(
        self,
        interaction: discord.Interaction,
        questions: app_commands.Range[int, 1, 100],
        seconds: app_commands.Range[float, 0, 3600],
    ) -> None:
        assert interaction.guild_id is not None
        await asyncio.to_thread(self.bot.store.set_guild_setting, interaction.guild_id, "cooldown_questions", questions)
        await self._set(interaction, "cooldown_seconds", seconds)

    @app_commands.command(name="threads", description="Answer channel questions in a thread started from the question.")
    @app_commands.describe(enabled="True: answer in a thread; False: reply in the channel")
    @manager_only()
    async def threads(self, interaction: discord.Interaction, enabled: bool) -> None:
        await self._set(interaction, "threads", enabled)

    @app_commands.command(name="moderator-channel", description="Where digests go (feeds, scheduled refreshes); leave empty to clear.")
    @app_commands.describe(channel="The channel for moderator digests; leave empty for none")
    @manager_only()
    async def moderator_channel(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None) -> None:
        await self._set(interaction, "moderator_channel", channel.id if channel else None)

    @app_commands.command(name="reset", description="Go back to the defaults from the config file.")
    @manager_only()
    async def reset(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await asyncio.to_thread(self.bot.store.clear_guild_settings, interaction.guild_id)
        await self.bot.servers.changed(interaction.guild_id)
        await interaction.response.send_message(
            "Back to the defaults.", embed=settings_embed(self.bot.servers.config(interaction.guild_id)), ephemeral=True, allowed_mentions=NO_PINGS
        )


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(GuildSettings(bot))
