"""Discord's documented message limits and error bodies, so the fake rejects what Discord rejects."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .models import COMPONENTS_V2, Json

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_FIELDS_MAX = 25
# (path inside one embed, max length); these are also exactly what counts toward the 6,000 total.
EMBED_TEXT_LIMITS: list[tuple[tuple[str, ...], int]] = [
    (("title",), 256), (("description",), 4096), (("footer", "text"), 2048), (("author", "name"), 256),
]
FIELD_NAME_MAX, FIELD_VALUE_MAX = 256, 1024
ACTION_ROWS_MAX, ROW_BUTTONS_MAX = 5, 5
BUTTON_LABEL_MAX, CUSTOM_ID_MAX, SELECT_OPTIONS_MAX = 80, 100, 25
AUTOCOMPLETE_CHOICES_MAX, MODAL_TITLE_MAX = 25, 45

_MENTION_USER = re.compile(r"<@!?(\d+)>")
_MENTION_ROLE = re.compile(r"<@&(\d+)>")


class DiscordError(Exception):
    """Raised by a handler; the middleware turns it into Discord's JSON error response."""

    def __init__(self, status: int, code: int, message: str, errors: Json | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.body: Json = {"code": code, "message": message}
        if errors:
            self.body["errors"] = errors


class FormErrors:
    """Collects field errors into Discord's nested {"a": {"0": {"b": {"_errors": [...]}}}} shape."""

    def __init__(self) -> None:
        self.tree: Json = {}

    def add(self, path: tuple[Any, ...], code: str, message: str) -> None:
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def too_long(self, path: tuple[Any, ...], value: Any, limit: int) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def too_many(self, path: tuple[Any, ...], items: list[Any], limit: int) -> None:
        if len(items) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def raise_if_any(self) -> None:
        if self.tree:
            raise DiscordError(400, 50035, "Invalid Form Body", self.tree)


def _get(obj: Json, path: tuple[str, ...]) -> Any:
    for key in path:
        obj = obj.get(key) or {}
    return obj or None


def check_message(msg: Json, *, has_files: bool) -> None:
    """Validate a complete message (after merging an edit), raising DiscordError like the API."""
    errors = FormErrors()
    errors.too_long(("content",), msg.get("content"), CONTENT_MAX)
    embeds: list[Json] = msg.get("embeds") or []
    errors.too_many(("embeds",), embeds, EMBEDS_MAX)
    total = 0
    for i, embed in enumerate(embeds):
        for path, limit in EMBED_TEXT_LIMITS:
            value = _get(embed, path)
            errors.too_long(("embeds", i, *path), value, limit)
            total += len(value) if isinstance(value, str) else 0
        fields: list[Json] = embed.get("fields") or []
        errors.too_many(("embeds", i, "fields"), fields, EMBED_FIELDS_MAX)
        for j, fld in enumerate(fields):
            errors.too_long(("embeds", i, "fields", j, "name"), fld.get("name"), FIELD_NAME_MAX)
            errors.too_long(("embeds", i, "fields", j, "value"), fld.get("value"), FIELD_VALUE_MAX)
            total += len(fld.get("name") or "") + len(fld.get("value") or "")
    if total > EMBED_TOTAL_MAX:
        errors.add(("embeds",), "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}")
    _check_components(msg.get("components") or [], int(msg.get("flags") or 0), errors)
    _check_allowed_mentions(msg.get("allowed_mentions"), errors)
    errors.raise_if_any()
    if not (msg.get("content") or embeds or msg.get("components") or msg.get("attachments") or has_files
            or msg.get("sticker_ids") or msg.get("poll")):
        raise DiscordError(400, 50006, "Cannot send an empty message")


def _check_components(components: list[Json], flags: int, errors: FormErrors) -> None:
    if not flags & COMPONENTS_V2:
        errors.too_many(("components",), components, ACTION_ROWS_MAX)
        for i, row in enumerate(components):
            children: list[Json] = row.get("components") or []
            if row.get("type") != 1:
                errors.add(("components", i, "type"), "UNION_TYPE_CHOICES",
                           'Value of field "type" must be one of (1,).')
            elif any(c.get("type") != 2 for c in children) and len(children) > 1:
                errors.add(("components", i, "components"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                           "The specified component exceeds the maximum width")
            else:
                errors.too_many(("components", i, "components"), children, ROW_BUTTONS_MAX)
    seen: set[str] = set()
    tree = (pc for i, top in enumerate(components) for pc in _walk(top, ("components", i)))
    for path, comp in tree:
        custom_id = comp.get("custom_id")
        errors.too_long((*path, "custom_id"), custom_id, CUSTOM_ID_MAX)
        if custom_id is not None:
            if custom_id in seen:
                errors.add((*path, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED",
                           "Component custom id cannot be duplicated")
            seen.add(custom_id)
        if comp.get("type") == 2:
            errors.too_long((*path, "label"), comp.get("label"), BUTTON_LABEL_MAX)
            if comp.get("style") not in (5, 6) and custom_id is None:  # link / premium buttons have no custom_id
                errors.add((*path, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
        if comp.get("type") == 3:
            errors.too_many((*path, "options"), comp.get("options") or [], SELECT_OPTIONS_MAX)


def _walk(comp: Json, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Json]]:
    """A component and all its descendants, each with its error path, e.g. ("components", 0, "components", 2)."""
    yield path, comp
    for i, child in enumerate(comp.get("components") or []):
        yield from _walk(child, (*path, "components", i))
    for key in ("component", "accessory"):
        if isinstance(comp.get(key), dict):
            yield from _walk(comp[key], (*path, key))


def _check_allowed_mentions(am: Json | None, errors: FormErrors) -> None:
    if not am:
        return
    parse = am.get("parse") or []
    for kind in ("users", "roles"):
        if kind in parse and am.get(kind):
            errors.add(("allowed_mentions",), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                       f"parse:[\"{kind}\"] and {kind}: [ids...] are mutually exclusive.")
        errors.too_many(("allowed_mentions", kind), am.get(kind) or [], 100)


def check_modal(data: Json) -> None:
    errors = FormErrors()
    errors.too_long(("data", "title"), data.get("title"), MODAL_TITLE_MAX)
    errors.too_long(("data", "custom_id"), data.get("custom_id"), CUSTOM_ID_MAX)
    if not 1 <= len(data.get("components") or []) <= 5:
        errors.add(("data", "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
    errors.raise_if_any()


def check_choices(data: Json) -> None:
    errors = FormErrors()
    choices: list[Json] = data.get("choices") or []
    errors.too_many(("data", "choices"), choices, AUTOCOMPLETE_CHOICES_MAX)
    for i, choice in enumerate(choices):
        errors.too_long(("data", "choices", i, "name"), choice.get("name"), 100)
    errors.raise_if_any()


def compute_pings(content: str, allowed_mentions: Json | None, *,
                  replied_author: int | None, sender: int) -> set[str]:
    """Who Discord would notify: "everyone", "here", "user:<id>", "role:<id>".

    Without allowed_mentions Discord parses everything in the content and pings a replied-to author; with it,
    only what `parse`, `users`, `roles` and `replied_user` allow. Permission gates (MENTION_EVERYONE, role
    mentionability) are deliberately ignored: a test asserting "no pings" should fail on the *attempt*.
    """
    if allowed_mentions is None:
        parse, users, roles, replied = {"everyone", "users", "roles"}, set(), set(), True
    else:
        parse = set(allowed_mentions.get("parse") or [])
        users = {str(u) for u in allowed_mentions.get("users") or []}
        roles = {str(r) for r in allowed_mentions.get("roles") or []}
        replied = bool(allowed_mentions.get("replied_user", False))
    pings: set[str] = set()
    if "everyone" in parse:
        pings |= {name for name in ("everyone", "here") if f"@{name}" in content}
    pings |= {f"user:{u}" for u in _MENTION_USER.findall(content) if "users" in parse or u in users}
    pings |= {f"role:{r}" for r in _MENTION_ROLE.findall(content) if "roles" in parse or r in roles}
    if replied_author is not None and replied:
        pings.add(f"user:{replied_author}")
    pings.discard(f"user:{sender}")  # nobody is notified of their own mention
    return pings
