"""``/check``, as a feature package: ``_cog`` the thin cog, ``_embeds`` the verdict's embed."""

from ._cog import setup

__all__ = ["setup"]
