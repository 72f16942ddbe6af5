"""Watching sources (corpus folders, feeds): one that fails or stops changing is reported once, not on every run."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

from .store import SourceHealth

if TYPE_CHECKING:
    from .client import NewsdeskBot


async def watch(bot: NewsdeskBot, key: str, *, changed: float | None, failure: str | None) -> str | None:
    """Record one source's state after a run; returns a note for moderators when it newly went wrong.

    ``changed`` is when the source last brought something new (if known), ``failure`` why it
    failed this time. A source is *stale* when nothing changed for ``schedule.stale_hours``.
    Each state is reported once; a source that recovers can be reported again later.
    """
    now = time.time()
    stale_after = bot.settings.schedule.stale_hours * 3600
    health = await bot.remember(bot.store.source_health, key) or SourceHealth(key, None, None, None, None)
    last_change = max(filter(None, (health.last_change, changed)), default=now)
    state = "failing" if failure else ("stale" if stale_after and now - last_change > stale_after else None)
    note = None
    if state is not None and state != health.reported:
        if state == "failing":
            note = f"\u2022 {key} is failing: {failure}"
        else:
            note = f"\u2022 {key} has not changed for {(now - last_change) / 3600:.0f} hours"
    updated = replace(
        health,
        last_change=last_change,
        failing_since=(health.failing_since or now) if failure else None,
        failure=failure,
        reported=state,
    )
    await bot.remember(bot.store.save_source_health, updated)
    return note
