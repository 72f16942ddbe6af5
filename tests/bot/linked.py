"""Articles saved the way /add and the feeds save them: a header with headline, outlet, date and address.

Two of them are one agency story run by two papers (the same words in two files).
"""

from __future__ import annotations

from pathlib import Path

GAZETTE = "https://gazette.example/news/harbour-wall"
QUAY = "https://quay.example/okafor-defends-repairs"
ARTICLES = {
    "gazette-wall.txt": (
        "Harbour Wall Rebuilt Before Storms", "Port Gazette", "2025-05-04", GAZETTE,
        "The harbour wall was rebuilt before the winter storms, the council said on Tuesday.\n\n"
        "\u201cWe did not cut a single corner on safety,\u201d said harbour master Ines Okafor, who led the repairs. "
        "She has run the harbour for six years.\n\n"
        "The work cost more than planned, and the council will vote next month on how to pay for it.\n",
    ),
    "quay-okafor.txt": (
        "Okafor Defends Cost of Harbour Repairs", "Quay News", "2025-05-06", QUAY,
        "The harbour master answered critics of the repair bill at a meeting on Thursday.\n\n"
        "\u201cSafety on the harbour wall was worth every penny we spent,\u201d harbour master Ines Okafor told the meeting.\n",
    ),
    "north-tender.txt": (
        "Lighthouse Tender Sails Again", "North Herald", "2025-06-01", "https://north.example/tender",
        "\u201cThe lighthouse tender will sail again on Friday after its refit,\u201d coastguard chief Marta Lindqvist said.\n",
    ),
    "south-tender.txt": (
        "Tender Back in Service After Refit", "South Courier", "2025-06-02", "https://south.example/tender",
        "\u201cThe lighthouse tender will sail again on Friday after its refit,\u201d coastguard chief Marta Lindqvist said.\n",
    ),
}


def write_linked(corpus: Path) -> None:
    """Save :data:`ARTICLES` into ``corpus`` with their headers."""
    for name, (headline, outlet, date, url, body) in ARTICLES.items():
        header = f"---\ntitle: {headline}\noutlet: {outlet}\ndate: {date}\nurl: {url}\nfetched: {date}T09:00:00+00:00\n---\n"
        (corpus / name).write_text(header + body, encoding="utf-8")
