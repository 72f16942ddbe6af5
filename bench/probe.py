"""Speaker answers spot-checked on real news nobody tuned for: questions drawn from the BBC archive.

Not an evaluation set (it has no hand-made gold); a check that the answer engine generalises:

- *full name*: for an article with "said Jane Doe" or "Jane Doe said", ask "What did Jane Doe
  say?" and count the answers that come from an article naming Jane Doe in full (the right
  person, though not necessarily that article) and the answers that name a speaker at all;
- *topic*: for an article with '"…," said Doe', ask "What did Doe say about <two words of that
  quotation>?" and count the answers whose quote holds the start of that quotation.

``python bench/probe.py`` (from any folder: the archive is looked for in the shared folder beside
the project, ``--shared`` or ``--archive`` elsewhere). The archive's articles are written to a
work folder outside the repo (``--workdir``), never into it.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from bbc import ROOT, SHARED, Source, archive_in, load_bbc  # beside this file

sys.path.insert(0, str(ROOT))  # the repo's own index package, whether or not one is installed

from index.answer import Answerer  # noqa: E402
from index.names import ORG_WORDS, TITLE_WORDS  # noqa: E402
from index.refresh import open_coverage  # noqa: E402
from index.text import fold, tokens  # noqa: E402

#: The archive's articles as files, and their index: outside the repo.
WORKDIR = Path("/tmp/newsdesk-probe")
SEED = 11
QUESTIONS = 300
# Two capitalised words standing alone: not part of a longer name ("Professor Kerstin Dautenhahn",
# "Yoo Ji-chang") that the question would cut short.
_NAME = r"(?<![A-Z]\w )[A-Z][a-z]+ (?:Mc|Mac|O')?[A-Z][a-z]+(?![\w-]| [A-Z])"
_SAID_NAME = re.compile(rf"(?:said|says|told|added)\s+({_NAME})|({_NAME}) (?:said|says|told)\b")
_QUOTED = re.compile(rf"\"([^\"]{{40,300}}),\" said ({_NAME})")
# Sentence openers the name pattern would otherwise take for first names.
_NOT_FIRST_NAMES = frozenset("The He She It But And In On At As If When This That They We".split())


def _person_like(name: str) -> bool:
    """Two words that could be a person: no role word first, no organisation word last."""
    first, last = name.split()
    return first not in _NOT_FIRST_NAMES and first.lower() not in TITLE_WORDS and last.lower() not in ORG_WORDS


def full_name_questions(sources: Sequence[Source], count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(question, full name) pairs, one per article, from "said Jane Doe" / "Jane Doe said"."""
    seen: set[str] = set()
    found: list[tuple[str, str]] = []
    for source in rng.sample(list(sources), len(sources)):
        for match in _SAID_NAME.findall(source.text):
            name = match[0] or match[1]
            if _person_like(name) and name not in seen:
                seen.add(name)
                found.append((f"What did {name} say?", name))
                break
        if len(found) >= count:
            break
    return found


def topic_questions(sources: Sequence[Source], count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(question, start of the quotation) pairs from '"…," said Doe' with two of its words as the topic."""
    found: list[tuple[str, str]] = []
    for source in rng.sample(list(sources), len(sources)):
        for quotation, name in _QUOTED.findall(source.text):
            words = [w for w in re.findall(r"\b[a-z]{6,}\b", quotation) if tokens(w)]
            if len(words) >= 2 and _person_like(name):
                first, second = rng.sample(words, 2)
                found.append((f"What did {name.split()[-1]} say about {first} and {second}?", quotation[:50]))
                break
        if len(found) >= count:
            break
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python bench/probe.py", description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared folder holding the BBC archive (default: %(default)s)")
    parser.add_argument("--archive", type=Path, help="the BBC news tarball (default: corpora/bbc-news/bbc-fulltext.tar.gz in --shared)")
    parser.add_argument("--workdir", type=Path, default=WORKDIR, help="where the articles and their index go, never the repo (default: %(default)s)")
    parser.add_argument("--questions", type=int, default=QUESTIONS, help="questions of each kind")
    parser.add_argument("--show", action="store_true", help="print every miss")
    args = parser.parse_args(argv)
    args.archive = args.archive or archive_in(args.shared)
    if not args.archive.is_file():
        sys.exit(f"No BBC archive at {args.archive}: pass --shared (or --archive).")
    sources = load_bbc(args.archive)
    folder = args.workdir / "articles"
    shutil.rmtree(folder, ignore_errors=True)
    for source in sources:
        path = folder / f"{source.name}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source.text, encoding="utf-8")
    texts = {f"{source.name}.txt": source.text for source in sources}
    answerer = Answerer(open_coverage([folder], args.workdir / "state")[0])
    rng = random.Random(SEED)

    right_person = with_speaker = 0
    asked = full_name_questions(sources, args.questions, rng)
    for question, name in asked:
        answer = answerer.ask(question)
        best = answer.answers[0] if answer.answers else None
        right_person += bool(best and name in texts[best.source])
        with_speaker += bool(best and best.speaker)
        if args.show and not (best and name in texts[best.source]):
            print(f"miss: {question} -> {best.source if best else answer.message}")
    quoted = 0
    topics = topic_questions(sources, args.questions, rng)
    for question, start in topics:
        answer = answerer.ask(question)
        hit = bool(answer.answers) and fold(start) in fold(answer.answers[0].quote)
        quoted += hit
        if args.show and not hit:
            print(f"miss: {question} -> {answer.answers[0].source if answer.answers else answer.message}")
    print("| check | questions | result |\n|---|---:|---|")
    print(f"| What did <full name> say? | {len(asked)} | {right_person} answered from an article naming them; {with_speaker} with a named speaker |")
    print(f"| What did <surname> say about <two words of their quotation>? | {len(topics)} | {quoted} quote that quotation |")


if __name__ == "__main__":
    main()
