"""Coverage administration, as a feature package: ``_cog`` adds and removes articles and polls feeds,
``_refresh`` refreshes the index (``/refresh`` and the schedule), ``_embeds`` what moderators are shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _cog, _refresh

if TYPE_CHECKING:
    from ...client import NewsdeskBot


async def setup(bot: NewsdeskBot) -> None:
    await _cog.setup(bot)
    await _refresh.setup(bot)
