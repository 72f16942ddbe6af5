"""``/summary``, as a feature package: ``_cog`` the command group, ``_embeds`` the pages of points."""

from ._cog import setup

__all__ = ["setup"]
