"""Who is a moderator: Manage Server, or a role named *by id*.

Anyone with Manage Roles can create a role and call it anything, so a role's name proves
nothing. Names are accepted in the config file for convenience and resolved once per server,
when the server becomes available; from then on only ids are compared, so a role created or
renamed later never matches. A name that matches several roles (case-insensitively, so that
"moderator" next to "Moderator" counts) or none resolves to nothing: that fails closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import discord


@dataclass(frozen=True, slots=True)
class RoleRefs:
    """Moderator roles as configured: ids to use as they are, names still to resolve."""

    ids: frozenset[int]
    names: tuple[str, ...]

    @classmethod
    def parse(cls, refs: Iterable[int | str]) -> RoleRefs:
        ids: set[int] = set()
        names: list[str] = []
        for ref in refs:
            if isinstance(ref, int):
                ids.add(ref)
            elif ref.strip().isdigit():  # an id written as a string (e.g. from an environment variable)
                ids.add(int(ref.strip()))
            elif ref.strip():
                names.append(ref.strip())
        return cls(frozenset(ids), tuple(names))


@dataclass(frozen=True, slots=True)
class Resolved:
    """One configured name looked up among a server's roles: the id it stands for, or why none."""

    name: str
    role_id: int | None
    reason: str | None = None


def resolve(names: Sequence[str], roles: Sequence[discord.Role]) -> list[Resolved]:
    """Each name to the one role it names, if exactly one does. @everyone and integration-managed
    roles are never moderator roles: one is everybody, the other is given by a bot, not a person."""
    candidates = [r for r in roles if not r.is_default() and not r.managed]
    out: list[Resolved] = []
    for name in names:
        wanted = name.casefold()
        matches = [r for r in candidates if r.name.casefold() == wanted]
        if len(matches) == 1:
            out.append(Resolved(name, matches[0].id))
        elif matches:
            out.append(Resolved(name, None, f"{len(matches)} roles have that name"))
        else:
            out.append(Resolved(name, None, "no role has that name"))
    return out


def is_moderator(member: discord.abc.User, role_ids: frozenset[int]) -> bool:
    """Manage Server or Administrator, or one of the moderator role ids."""
    if not isinstance(member, discord.Member):
        return False
    permissions = member.guild_permissions
    if permissions.manage_guild or permissions.administrator:
        return True
    return any(role.id in role_ids for role in member.roles)
