"""Captured messages drawn as Discord draws them (dark theme, embeds, buttons), for a person to look at.

Only the Markdown the bot writes is rendered, the way Discord renders it: backslash escapes,
``**bold**``, ``~~struck~~``, ``[masked](https://links)``, ``> `` block quotes and ``-# `` subtext
at the start of a line, and ``<t:…:R>`` timestamps (as the time left when drawn). Everything else is shown as text. Headless Chromium turns the page into
a PNG (:func:`screenshot`); nothing here talks to a network.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .models import StoredMessage

_ESCAPE = re.compile(r"\\([^A-Za-z0-9\s])")
_LINK = re.compile(r"\[((?:\\.|[^\]\\])+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_STRUCK = re.compile(r"~~(.+?)~~")
_RELATIVE = re.compile(r"&lt;t:(\d+):R&gt;")


def _relative(match: re.Match[str]) -> str:
    """A ``<t:…:R>`` timestamp as Discord shows it when the page is drawn: "in 58 seconds"."""
    seconds = int(match.group(1)) - int(time.time())
    amount, unit = (abs(seconds), "second") if abs(seconds) < 90 else (round(abs(seconds) / 60), "minute")
    words = f"{amount} {unit}{'s' if amount != 1 else ''}"
    return f'<span class="time">{"in " + words if seconds >= 0 else words + " ago"}</span>'

STYLE = """
body { background: #313338; color: #dbdee1; font: 16px/1.375 "DejaVu Sans", sans-serif; margin: 0; padding: 16px 24px; }
.message { display: flex; gap: 16px; margin: 0 0 20px; max-width: 760px; }
.avatar { width: 40px; height: 40px; border-radius: 50%; background: #5865f2; flex: none; }
.author { color: #f2f3f5; font-weight: 600; } .embed-author { color: #f2f3f5; font-size: 14px; font-weight: 600; margin-bottom: 4px; } .tag { background: #5865f2; color: #fff; font-size: 10px; border-radius: 3px; padding: 1px 4px; margin-left: 4px; }
.embed { background: #2b2d31; border-left: 4px solid #2b6cb0; border-radius: 4px; padding: 8px 16px 16px 12px; margin-top: 4px; max-width: 520px; }
.embed .title { color: #f2f3f5; font-weight: 600; margin: 8px 0; } .embed .title a { color: #00a8fc; text-decoration: none; }
.field { margin-top: 8px; } .field .name { color: #f2f3f5; font-weight: 600; font-size: 14px; } .field .value { font-size: 14px; }
.description { font-size: 14px; } .footer { color: #b5bac1; font-size: 12px; margin-top: 8px; }
.quote { border-left: 4px solid #4e5058; padding-left: 12px; margin: 2px 0; }
.sub { color: #949ba4; font-size: 12px; display: block; } a { color: #00a8fc; text-decoration: none; }
.buttons { display: flex; gap: 8px; margin-top: 8px; }
.button { background: #4e5058; color: #fff; border-radius: 3px; padding: 2px 16px; font-size: 14px; line-height: 32px; }
.button.disabled { opacity: 0.5; } .button.primary { background: #5865f2; } .button.danger { background: #da373c; } .ephemeral { color: #949ba4; font-size: 12px; } .time { background: #3f4147; border-radius: 3px; padding: 0 2px; }
"""


def markdown(text: str) -> str:
    """The bot's Markdown as Discord shows it, as HTML."""
    lines = []
    for line in text.split("\n"):
        kind = ""
        if line.startswith("-# "):
            kind, line = "sub", line[3:]
        elif line.startswith("> "):
            kind, line = "quote", line[2:]
        rendered = _inline(line)
        lines.append(f'<span class="{kind}">{rendered}</span>' if kind == "sub" else f'<div class="quote">{rendered}</div>' if kind else rendered)
    out = ""
    for index, line in enumerate(lines):
        block = line.startswith(("<div", '<span class="sub"'))
        out += line if block or index == len(lines) - 1 else line + "<br>"
    return out


def _inline(text: str) -> str:
    # Escaped characters are set aside first, so "\*" never starts bold and "\[" never a link.
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(1))
        return f"\x00{len(kept) - 1}\x00"

    text = _ESCAPE.sub(keep, text)
    links: list[tuple[str, str]] = []

    def link(match: re.Match[str]) -> str:
        links.append((match.group(1), match.group(2)))
        return f"\x01{len(links) - 1}\x01"

    text = _LINK.sub(link, text)
    text = html.escape(text, quote=False)
    text = _BOLD.sub(r"<b>\1</b>", text)
    text = _STRUCK.sub(r"<s>\1</s>", text)
    text = _RELATIVE.sub(_relative, text)
    text = re.sub("\x01(\\d+)\x01", lambda m: _anchor(*links[int(m.group(1))], kept), text)
    return re.sub("\x00(\\d+)\x00", lambda m: html.escape(kept[int(m.group(1))]), text)


def _anchor(label: str, url: str, kept: list[str]) -> str:
    inner = _inline(re.sub("\x00(\\d+)\x00", lambda m: "\\" + kept[int(m.group(1))], label))
    return f'<a href="{html.escape(url)}">{inner}</a>'


def _embed(embed: dict[str, Any]) -> str:
    parts = ['<div class="embed">']
    if embed.get("author", {}).get("name"):
        parts.append(f'<div class="embed-author">{html.escape(embed["author"]["name"])}</div>')
    if embed.get("title"):
        title = _inline(embed["title"])
        if embed.get("url"):
            title = f'<a href="{html.escape(embed["url"])}">{title}</a>'
        parts.append(f'<div class="title">{title}</div>')
    if embed.get("description"):
        parts.append(f'<div class="description">{markdown(embed["description"])}</div>')
    for field in embed.get("fields", []):
        parts.append(f'<div class="field"><div class="name">{_inline(field["name"])}</div><div class="value">{markdown(field["value"])}</div></div>')
    if embed.get("footer", {}).get("text"):
        parts.append(f'<div class="footer">{html.escape(embed["footer"]["text"])}</div>')
    parts.append("</div>")
    return "".join(parts)


_STYLES = {1: "primary", 2: "secondary", 4: "danger"}


def _buttons(components: list[dict[str, Any]]) -> str:
    rows = []
    for row in components:
        buttons = []
        for item in row.get("components", []):
            shown = " ".join(x for x in ((item.get("emoji") or {}).get("name"), item.get("label")) if x)
            disabled = " disabled" if item.get("disabled") else ""
            buttons.append(f'<span class="button {_STYLES.get(item.get("style", 2), "secondary")}{disabled}">{html.escape(shown)}</span>')
        rows.append(f'<div class="buttons">{"".join(buttons)}</div>')
    return "".join(rows)


def page(messages: Iterable[StoredMessage], *, title: str = "newsdesk") -> str:
    """An HTML page showing ``messages`` one after the other, as the channel shows them."""
    body = []
    for message in messages:
        body.append('<div class="message"><div class="avatar"></div><div>')
        body.append('<span class="author">newsdesk</span><span class="tag">APP</span>')
        if message.content:
            body.append(f"<div>{markdown(message.content)}</div>")
        body += [_embed(embed) for embed in message.embeds]
        body.append(_buttons(message.components))
        if message.ephemeral:
            body.append('<div class="ephemeral">Only you can see this</div>')
        body.append("</div></div>")
    return f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>{STYLE}</style></head><body>{''.join(body)}</body></html>"


def screenshot(page_file: Path, png: Path, *, width: int = 820, height: int = 900) -> Path | None:
    """``page_file`` as a PNG, by headless Chromium (Debian's ``chromium``); None when it is not installed."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        return None
    subprocess.run(
        [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--hide-scrollbars", f"--screenshot={png}",
            f"--window-size={width},{height}", page_file.resolve().as_uri(),
        ],
        check=True, capture_output=True, timeout=120,
    )
    return png


def write_screens(out: Path, screens: Sequence[tuple[str, Sequence[StoredMessage], int]], *, width: int) -> None:
    """Each ``(name, messages, height)`` drawn as ``out/<name>.html`` and, with Chromium, ``out/<name>.png``."""
    out.mkdir(parents=True, exist_ok=True)
    for name, messages, height in screens:
        html_file = out / f"{name}.html"
        html_file.write_text(page(messages, title=f"newsdesk: {name}"), encoding="utf-8")
        png = screenshot(html_file, out / f"{name}.png", width=width, height=height)
        print(f"wrote {html_file}" + (f" and {png}" if png else " (install chromium for a PNG)"))
