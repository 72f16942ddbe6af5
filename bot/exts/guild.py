"""``/settings``: a server's own ask channels, moderator roles, cooldown, threads and moderator channel (Manage Server)."""

from __future__ import annotations

import asyncio
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from index.errors import NewsdeskError

from ..client import GuildConfig, NewsdeskBot
from ..render import COLOUR, NO_PINGS, clip



class NotManager(NewsdeskError, app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__("Only people with Manage Server can change these settings.")


def _describe(config: GuildConfig) -> discord.Embed:
    embed = discord.Embed(title="newsdesk settings for this server", colour=COLOUR)
    channels = ", ".join(f"<#{c}>" for c in sorted(config.ask_channels)) or "none (mentions and /ask only)"
    embed.add_field(name="Ask channels", value=clip(channels, 1024), inline=False)
    roles = ", ".join(f"<@&{r}>" for r in sorted(config.moderator_roles)) or "none (Manage Server only)"
    embed.add_field(name="Moderator roles", value=clip(roles, 1024), inline=False)
    embed.add_field(name="Cooldown", value=f"{config.cooldown_questions} questions per {config.cooldown_seconds:g} s", inline=True)
    embed.add_field(name="Answers in threads", value="yes" if config.threads else "no", inline=True)
    embed.add_field(
        name="Moderator channel", value=f"<#{config.moderator_channel}>" if config.moderator_channel else "none", inline=True
    )
    return embed


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class GuildSettings(commands.GroupCog, group_name="settings", group_description="newsdesk settings for this server (Manage Server)"):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        # The default permissions hide the commands; this is the check that counts.
        member = interaction.user
        if not isinstance(member, discord.Member) or not (
            member.guild_permissions.manage_guild or member.guild_permissions.administrator
        ):
            raise NotManager()
        return True

    async def _set(self, interaction: discord.Interaction, key: str, value: object) -> None:
        assert interaction.guild_id is not None
        await asyncio.to_thread(self.bot.store.set_guild_setting, interaction.guild_id, key, value)
        self.bot.forget_guild_config(interaction.guild_id)
        await interaction.response.send_message(
            "Saved.", embed=_describe(self.bot.guild_config(interaction.guild_id)), ephemeral=True, allowed_mentions=NO_PINGS
        )

    @app_commands.command(name="show", description="Show this server's settings.")
    async def show(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            embed=_describe(self.bot.guild_config(interaction.guild_id)), ephemeral=True, allowed_mentions=NO_PINGS
        )

    @app_commands.command(name="ask-channel", description="Add or remove a channel where every question is answered.")
    async def ask_channel(
        self, interaction: discord.Interaction, action: Literal["add", "remove"], channel: discord.TextChannel
    ) -> None:
        current = set(self.bot.guild_config(interaction.guild_id).ask_channels)
        current = current | {channel.id} if action == "add" else current - {channel.id}
        await self._set(interaction, "ask_channels", sorted(current))

    @app_commands.command(name="moderator-role", description="Add or remove a role whose members may refresh and add coverage.")
    async def moderator_role(self, interaction: discord.Interaction, action: Literal["add", "remove"], role: discord.Role) -> None:
        # By id: a role's name can be copied by anyone who can create roles.
        current = set(self.bot.guild_config(interaction.guild_id).moderator_roles)
        current = current | {role.id} if action == "add" else current - {role.id}
        await self._set(interaction, "moderator_role_ids", sorted(current))

    @app_commands.command(name="cooldown", description="How many questions each person may ask per time window.")
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
    async def threads(self, interaction: discord.Interaction, enabled: bool) -> None:
        await self._set(interaction, "threads", int(enabled))

    @app_commands.command(name="moderator-channel", description="Where digests go (feeds, scheduled refreshes); leave empty to clear.")
    async def moderator_channel(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None) -> None:
        await self._set(interaction, "moderator_channel", channel.id if channel else None)

    @app_commands.command(name="reset", description="Go back to the defaults from the config file.")
    async def reset(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await asyncio.to_thread(self.bot.store.clear_guild_settings, interaction.guild_id)
        self.bot.forget_guild_config(interaction.guild_id)
        await interaction.response.send_message(
            "Back to the defaults.", embed=_describe(self.bot.guild_config(interaction.guild_id)), ephemeral=True, allowed_mentions=NO_PINGS
        )


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(GuildSettings(bot))
