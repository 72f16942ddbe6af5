"""How a slow command's reply reaches the channel: thought about privately, made public only when it succeeded.

Discord makes the first follow-up of a deferred reply as visible as the defer was, so a public
"thinking…" turns any error into a public message. Every slow command therefore defers
privately (:func:`think`): an error, a refusal or a not-found fills that private placeholder.
A result meant for everyone is a second follow-up (:func:`publish`), which has its own
visibility; the private placeholder is filled first and then deleted, so nothing is left behind.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from .render import NO_PINGS

log = logging.getLogger("newsdesk.bot")

#: How long a refusal or an error stays up in a channel (mentions and ask channels).
SELF_DELETE_SECONDS = 15.0
#: What fills the private placeholder for the moment before a public result replaces it.
PLACEHOLDER = "\u2026"


async def think(interaction: discord.Interaction[Any]) -> None:
    """Acknowledge slow work with a "thinking…" only the person who asked sees."""
    await interaction.response.defer(ephemeral=True, thinking=True)


async def publish(interaction: discord.Interaction[Any], *, private: bool = False, **reply: Any) -> discord.WebhookMessage:
    """The result of work begun with :func:`think`: into the private placeholder, or posted for everyone."""
    reply.setdefault("allowed_mentions", NO_PINGS)
    if private:
        return await interaction.followup.send(ephemeral=True, wait=True, **reply)
    await interaction.edit_original_response(content=PLACEHOLDER)  # fills the private placeholder
    message = await interaction.followup.send(wait=True, **reply)
    try:
        await interaction.delete_original_response()
    except discord.HTTPException:  # the answer is out; a leftover private "…" is harmless
        log.warning("event=reply outcome=placeholder_kept")
    return message
