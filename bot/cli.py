"""The ``newsdesk`` command line: ask, sources, index (and run, for the Discord bot).

The terminal commands never import discord (importing it costs a noticeable part of a second);
only ``newsdesk run`` and ``newsdesk sync`` do.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from index.answer import Answer
from index.citation import Citation
from index.coverage import Coverage
from index.desk import Desk
from index.errors import BadQuestion, NewsdeskError
from index.locks import UPDATE_WAIT
from index.refresh import RefreshReport

from .citation import headline_line, where_line
from .settings import ConfigError, Settings, load_settings
from .wire import answer_json, check_json, summary_json

if TYPE_CHECKING:
    from index.engine import Backend
    from index.summary import Summary
    from index.update import Updater

    from .store import Store

log = logging.getLogger("newsdesk")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk",
        description="Answer questions about a body of news coverage with exact, cited quotes.",
    )
    parser.add_argument("--config", type=Path, help="config file (default: config/newsdesk.toml, or $NEWSDESK_CONFIG)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = commands.add_parser("ask", help="answer a question from the coverage")
    ask.add_argument("question", help='the question, or "-" to read one question per line from stdin')
    ask.add_argument("--json", action="store_true", help="print JSON (one object per question)")
    ask.add_argument("--top", type=int, help="how many answers to show (default from config: 3)")
    _corpus_option(ask)

    summary = commands.add_parser("summary", help="summarise the coverage (every point quoted and cited)")
    what = summary.add_mutually_exclusive_group()
    what.add_argument("--topic", help="what the coverage says about a topic")
    what.add_argument("--article", help="one article, by file name or headline")
    what.add_argument("--person", help="everything the coverage quotes a person saying")
    what.add_argument("--since-refresh", action="store_true", help="the articles the latest refresh added or changed")
    summary.add_argument("--json", action="store_true", help="print JSON")
    _corpus_option(summary)

    check = commands.add_parser("check", help="check a quote against the coverage: verbatim, altered, or not there")
    check.add_argument("quote", help='the words to check, or "-" to read them from stdin')
    check.add_argument("--person", help="who the quote is said to be from")
    check.add_argument("--json", action="store_true", help="print JSON")
    _corpus_option(check)

    add = commands.add_parser("add", help="add an article from a web address or a .txt/.md/.html file")
    add.add_argument("source", help="http(s):// address or file path")
    remove = commands.add_parser("remove", help="take an article out of the index (its file moves to removed/)")
    remove.add_argument("file", help="the article's file name as `newsdesk sources` lists it")
    feeds = commands.add_parser("feeds", help="follow RSS/Atom feeds")
    feeds.add_subparsers(dest="feeds_command", required=True, metavar="ACTION").add_parser(
        "poll", help="fetch the configured feeds now and add their new items"
    )

    sources = commands.add_parser("sources", help="list the indexed articles")
    sources.add_argument("--json", action="store_true", help="print JSON")
    _corpus_option(sources)

    build = commands.add_parser("index", help="build or update the index and report what changed")
    build.add_argument(
        "--dask",
        nargs="?",
        const="local",
        metavar="SCHEDULER",
        help='build the Xapian shards in parallel on Dask: a cluster on this machine, or a scheduler address (index.engine = "xapian")',
    )
    _corpus_option(build)

    report = commands.add_parser("report", help="unanswered questions and answers marked 👎, most frequent first")
    report.add_argument("--days", type=float, default=7, help="how far back to look (default 7)")
    report.add_argument("--json", action="store_true", help="print JSON")
    report.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="config file")

    run = commands.add_parser("run", help="start the Discord bot (token from $DISCORD_TOKEN)")
    run.add_argument("--shard-ids", type=_shard_ids, metavar="IDS",
                     help="hold these of the bot's shards in this process, e.g. 0,1 (default from config: all)")
    run.add_argument("--shard-count", type=int, metavar="N", help="how many shards the bot has in all (default from config)")
    commands.add_parser("sync", help="register the slash commands with Discord now")
    for command in (ask, summary, check, add, remove, feeds, sources, build):
        command.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="config file")
    return parser


def _shard_ids(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of shard numbers, e.g. 0,1") from None


def _corpus_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--corpus",
        type=Path,
        action="append",
        metavar="DIR",
        help="index this folder instead of the configured ones (repeatable)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.logging.level, format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stderr
    )
    try:
        if args.command in ("run", "sync"):
            from .runner import run_bot  # discord is imported only on this path

            if args.command == "run" and (args.shard_ids is not None or args.shard_count is not None):
                settings = settings.with_shards(args.shard_ids, args.shard_count)
            return run_bot(settings, sync_only=args.command == "sync")
        if args.command == "report":
            return _report(settings, args, sys.stdout)
        if args.command in ("add", "remove", "feeds"):
            return asyncio.run(_update(settings, args, sys.stdout))
        folders = [folder.resolve() for folder in args.corpus] if getattr(args, "corpus", None) else settings.corpus_folders
        if args.command == "index":
            return asyncio.run(_index(settings, folders, sys.stdout, scheduler=args.dask))
        return _read_only(args, settings, folders)
    except NewsdeskError as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _read_only(args: argparse.Namespace, settings: Settings, folders: Sequence[Path]) -> int:
    """``ask``, ``sources``, ``summary``, ``check``: never wait for the writer lock. The index is
    brought up to date when the corpus changed and no one else is writing it; otherwise they
    answer from the index on disk as it is. An index found damaged is rebuilt, then read again."""
    desk = Desk(folders, settings.state_dir, top=getattr(args, "top", None) or settings.answers.top, backend=settings.backend())
    desk.open(by=None, warm=False)  # one command, one answer: nothing is loaded that it may not need
    if args.command == "ask":
        return _ask(desk, args, sys.stdin, sys.stdout)
    if args.command == "sources":
        return desk.read(lambda snapshot: _sources(snapshot.coverage, args.json, sys.stdout))
    if args.command == "summary":
        return desk.read(lambda snapshot: _summary(snapshot.coverage, settings, args, sys.stdout))
    text = sys.stdin.read() if args.quote == "-" else args.quote  # read once, whatever happens
    return desk.read(lambda snapshot: _check(snapshot.coverage, args, io.StringIO(text), sys.stdout))


def _ask(desk: Desk, args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    # Through the desk, which recovers from a damaged index and asks again, question by question.
    if args.question != "-":
        try:
            answer = desk.ask(args.question)
        except BadQuestion as exc:
            if args.json:
                out.write(json.dumps(_bad(args.question, exc), ensure_ascii=False) + "\n")
            else:
                print(f"newsdesk: {exc}", file=sys.stderr)
            return 1
        out.write(json.dumps(answer_json(answer), ensure_ascii=False) + "\n" if args.json else render_answer(answer))
        return 0
    for line in stdin:
        question = line.rstrip("\r\n")
        try:
            answer = desk.ask(question)
        except BadQuestion as exc:
            out.write(json.dumps(_bad(question, exc), ensure_ascii=False) + "\n" if args.json else f"{exc}\n\n")
            continue
        out.write(json.dumps(answer_json(answer), ensure_ascii=False) + "\n" if args.json else render_answer(answer) + "\n")
        out.flush()
    return 0


def _bad(question: str, error: BadQuestion) -> dict[str, object]:
    return {"question": question, "found": False, "answers": [], "message": error.message}


def _cite(citation: Citation, indent: str = "  ") -> list[str]:
    """A source for a terminal: ``— Headline — Outlet, date``, then the file, lines and address below it."""
    return [f"{indent}\u2014 {headline_line(citation)}", f"{indent}  {where_line(citation)}"]


def render_answer(answer: Answer) -> str:
    """An answer for a terminal: the quote, then its source (headline line, then file and lines), then "also in"."""
    if not answer.found:
        text = answer.message or "The coverage doesn't answer that."
        if answer.suggestions:
            text += "\nDid you mean: " + ", ".join(answer.suggestions) + "?"
        return text + "\n"
    best, *others = answer.answers
    who = f"{best.speaker}: " if best.speaker else ""
    parts = [f"{who}{best.quote}", *_cite(best)]
    for copy in best.also:
        parts += _cite(copy, "  the same words in ")
    if others:
        parts.append("\nAlso in:")
        for other in others:
            parts.append(f"  {other.quote}")
            parts += _cite(other, "    ")
    return "\n".join(parts) + "\n"


def _report(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    from .store import Store

    store = Store(settings.store_location, recover=False)  # a report only reads: a damaged file stays put
    try:
        unanswered, disliked = store.report(args.days)
    finally:
        store.close()
    if args.json:
        data = {
            "days": args.days,
            "unanswered": [{"question": r.question, "count": r.count} for r in unanswered],
            "disliked": [{"question": r.question, "count": r.count} for r in disliked],
        }
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
        return 0
    for title, rows in (("Not answered", unanswered), ("Marked \U0001f44e", disliked)):
        out.write(f"{title} (last {args.days:g} days):\n")
        out.writelines(f"  {r.count:4}\u00d7 {r.question}\n" for r in rows)
        if not rows:
            out.write("  none\n")
    return 0


def _open_store(settings: Settings) -> Store:
    """The state database the bot uses; one found damaged is set aside (and said so) and a fresh one started."""
    from .store import Store

    store = Store(settings.store_location)
    for damaged in store.set_aside:
        print(f"newsdesk: {damaged.notice()}", file=sys.stderr)
    return store


def _updater(settings: Settings, folders: Sequence[Path], store: Store, backend: Backend | None = None) -> Updater:
    """The update path the bot's /refresh, /add and /remove take, recorded in the same state database
    (through ``backend``, else the configured engine's)."""
    from index.ingest import Intake  # aiohttp and the fetching rules: only commands that update need them
    from index.update import Updater

    from .journal import StoreJournal
    from .shared_index import SharedIndex

    # Bots running on the same state database hear of what this command commits.
    desk = Desk(
        folders, settings.state_dir, top=settings.answers.top, backend=backend or settings.backend(), publication=SharedIndex(store.shared)
    )
    return Updater(desk, Intake(desk, settings.fetch_policy(), settings.ingest_folder), settings.feeds.urls, StoreJournal(store))


async def _index(settings: Settings, folders: Sequence[Path], out: TextIO, *, scheduler: str | None = None) -> int:
    """``newsdesk index``: the one command that checks every index file against its checksum, and
    the one that waits (up to UPDATE_WAIT) for another process's update instead of skipping it.
    With ``scheduler`` (``--dask``), Xapian shards are built on Dask."""
    backend = settings.backend(scheduler=scheduler)  # a bad choice is said before anything is opened
    store = _open_store(settings)
    try:
        report = await _updater(settings, folders, store, backend).open(by="newsdesk index", verify=True, wait=UPDATE_WAIT)
    finally:
        store.close()
    if report.failure is not None:
        raise report.failure
    assert report.index is not None
    _print_report(report.index, out)
    return 0


async def _update(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    """``newsdesk add``, ``remove`` and ``feeds poll``: the same updates the bot's /add, /remove and /refresh run."""
    from index.ingest import IngestError

    if args.command == "feeds" and not settings.feeds.urls:
        out.write("No feeds are configured (feeds.urls).\n")
        return 0
    store = _open_store(settings)
    try:
        updater = _updater(settings, settings.corpus_folders, store)
        await asyncio.to_thread(updater.desk.open, warm=False)
        if args.command == "add":
            if args.source.startswith(("http://", "https://")):
                added = await updater.add_url(args.source, by="newsdesk add")
            else:
                path = Path(args.source)
                try:
                    data = await asyncio.to_thread(path.read_bytes)
                except OSError as exc:
                    raise IngestError(f"Cannot read {path}: {exc.strerror}.") from None
                added = await updater.add_upload(path.name, data, by="newsdesk add")
            info = added.info
            outlet = f" \u2014 {info.meta['outlet']}" if info.meta.get("outlet") else ""
            verb = "Already indexed" if added.existing else "Added"
            out.write(f"{verb}: {info.label}{outlet} ({info.name}, {info.passages} passages)\n")
            if info.meta.get("url"):
                out.write(f"  {info.meta['url']}\n")
        elif args.command == "remove":
            removed = await updater.remove(args.file, by="newsdesk remove")
            out.write(f"Removed {removed.info.label} ({removed.info.name}); the file is now {removed.kept}\n")
        else:
            feeds = (await updater.refresh(by="newsdesk feeds", feeds=True)).feeds
            assert feeds is not None
            for name, title, feed in feeds.added:
                out.write(f"added   {name}: {title} (from {feed})\n")
            for where, why in feeds.failed:
                out.write(f"failed  {where}: {why}\n")
            if feeds.empty:
                out.write("No new items.\n")
    except IngestError as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


def _summary(coverage: Coverage, settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    from index.summary import Summarizer  # numpy-heavy; only this command needs it

    summary = Summarizer(coverage).summarize(
        topic=args.topic, article=args.article, person=args.person, since_refresh=args.since_refresh
    )
    endpoint = settings.summary_endpoint()
    if endpoint is not None:
        from index.abstractive import rewrite

        summary = asyncio.run(rewrite(summary, endpoint))
    if args.json:
        out.write(json.dumps(summary_json(summary), ensure_ascii=False) + "\n")
    else:
        out.write(render_summary(summary))
    return 0


def _check(coverage: Coverage, args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    from index.check import Checker

    text = stdin.read() if args.quote == "-" else args.quote
    try:
        result = Checker(coverage).check(text, args.person)
    except BadQuestion as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 1
    if args.json:
        out.write(json.dumps(check_json(result), ensure_ascii=False) + "\n")
        return 0
    lines = [result.message]
    for match in result.matches[:5]:
        cite = match.cite
        who = f"{cite.speaker}: " if cite.speaker else ""
        lines += ["", f"{who}{cite.quote}", *_cite(cite)]
        for copy in cite.also:
            lines += _cite(copy, "  the same words in ")
        for difference in match.differences:
            if difference.kind == "changed":
                lines.append(f"  pasted \u201c{difference.pasted}\u201d where the article has \u201c{difference.original}\u201d")
            elif difference.kind == "added":
                lines.append(f"  pasted \u201c{difference.pasted}\u201d, not in the article")
            else:
                lines.append(f"  left out \u201c{difference.original}\u201d")
    out.write("\n".join(lines) + "\n")
    return 0


def render_summary(summary: Summary) -> str:
    """A summary for a terminal: the title, the points with their sources, then who said what."""
    lines = [summary.title]
    if summary.message:
        lines.append(summary.message)
    if summary.abstract:
        lines += ["", summary.abstract]
    for heading, points in (("", summary.points), ("Who said what:", summary.quotes)):
        if not points:
            continue
        lines.append("")
        if heading:
            lines.append(heading)
        for number, point in enumerate(points, start=1):
            who = f"{point.speaker}: " if point.speaker and heading else ""
            lines.append(f"{number}. {who}{point.quote}")
            for cite in (point, *point.also):
                lines += _cite(cite, "   ")
    return "\n".join(lines) + "\n"


def _sources(coverage: Coverage, as_json: bool, out: TextIO) -> int:
    rows = sorted(coverage.articles.values(), key=lambda a: a.name)
    if as_json:
        data = [
            {"file": a.name, "title": a.title, "byline": a.byline, "date": a.date, "passages": a.passages} for a in rows
        ]
        out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return 0
    if not rows:
        out.write("No articles are indexed.\n")
    for a in rows:
        byline = f" \u2014 by {a.byline}" if a.byline else ""
        out.write(f"{a.name}  ({a.passages} passages)\n    {a.title or '(no headline) ' + a.label}{byline}\n")
    for skip in coverage.skipped:
        out.write(f"skipped {skip.name}: {skip.reason}\n")
    out.write(f"{len(rows)} articles, {coverage.passage_count} passages\n")
    return 0


def _print_report(report: RefreshReport, out: TextIO) -> None:
    if report.rebuilt:
        why = f" ({report.reason})" if report.reason and report.reason != "no index yet" else ""
        out.write(f"Built the index from scratch{why}.\n")
    for label, names in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
        for name in names:
            out.write(f"{label:8} {name}\n")
    for skip in report.skipped:
        out.write(f"skipped  {skip.name}: {skip.reason}\n")
    if report.unchanged and not (report.rebuilt and report.reason == "no index yet"):
        out.write("No article changed.\n" if report.rebuilt else "The index is up to date.\n")
    out.write(f"{report.articles} articles, {report.passages} passages ({report.seconds:.2f} s)\n")


if __name__ == "__main__":
    sys.exit(main())
