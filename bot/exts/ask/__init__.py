"""Asking, as a feature package: ``_cog`` the thin cog, ``_card`` the answer card's state and buttons, ``_embeds`` how it looks."""

from ._cog import setup

__all__ = ["setup"]
