"""An answer of any size is rendered and stored within bounds, without ever holding up the event loop,
and a few slow questions cannot keep everyone else waiting."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from index.answer import Answer
from index.citation import Citation
from index.desk import Desk
from tests.bot.conftest import Harness, bot_settings, custom_ids, embed_text, shown, start_bot
from tests.fakediscord.server import FakeDiscord

#: The probe's article: 4.6 MB of words without a single sentence break.
GIANT = ("the harbour board weighed the lighthouse tender late into the night under the old customs clock " * 47_000).strip()
STORED_PAYLOAD_LIMIT = 64_000
#: CPU seconds one callback may take on the loop (most take under 1 ms; see :class:`LoopLag`).
LOOP_BUDGET = 0.1
#: The answer card's modules, whose heavy steps must run in threads.
ASK_CARD, ASK_COG = "bot.exts.ask._card", "bot.exts.ask._cog"


@dataclass
class LoopLag:
    """The longest single callback the event loop ran, in CPU seconds of the loop's own thread.

    CPU time, not wall time: a loaded machine that preempts the loop makes wall-clock lag grow
    without the bot doing anything wrong, while work done *on* the loop (rendering or encoding a
    giant answer there) shows as CPU time whatever the machine's load. Work done in a thread costs
    the loop's thread nothing. The collector is held off while measuring (a full collection of the
    test session's objects lands in whichever callback allocates), yet a callback that does nothing
    of note can still take 20 ms in a large test process (the allocator), so the budget catches gross
    blocking and :func:`in_threads` checks the known heavy steps exactly.
    """

    worst: float = 0.0
    callbacks: int = 0


@contextlib.contextmanager
def loop_lag() -> Iterator[LoopLag]:
    lag = LoopLag()
    loop_thread = threading.get_ident()
    run = asyncio.Handle._run

    def timed(handle: asyncio.Handle) -> None:
        if threading.get_ident() != loop_thread:  # another loop (a helper thread's) is not measured
            return run(handle)
        started = time.thread_time()
        try:
            return run(handle)
        finally:
            lag.callbacks += 1
            lag.worst = max(lag.worst, time.thread_time() - started)

    gc.collect()
    gc.disable()
    asyncio.Handle._run = timed  # type: ignore[method-assign]
    try:
        yield lag
    finally:
        asyncio.Handle._run = run  # type: ignore[method-assign]
        gc.enable()


@dataclass
class Calls:
    """Which of the watched functions ran, and which of them ran on the event loop's thread."""

    ran: set[str] = field(default_factory=set)
    on_loop: set[str] = field(default_factory=set)


@contextlib.contextmanager
def in_threads(monkeypatch: pytest.MonkeyPatch, module_name: str, *names: str) -> Iterator[Calls]:
    """Watch the heavy steps of a reply (decoding, bounding, rendering): each must run in a worker thread.

    The module is looked up when watching starts: unloading an extension drops its modules, so
    each test's bot has imported its own."""
    calls = Calls()
    module = sys.modules[module_name]
    loop_thread = threading.get_ident()
    for name in names:
        real = getattr(module, name)

        def watched(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls.ran.add(_name)
            if threading.get_ident() == loop_thread:
                calls.on_loop.add(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, watched)
    yield calls


def giant_answer(question: str, top: int) -> Answer:
    """Whatever the answer pipeline returns, however large: every field of every citation huge."""
    copies = tuple(Citation(f"copy-{n}.txt", "Harbour Board Meets " * 2000, GIANT, 3, 3) for n in range(10_000))
    citation = Citation(
        "giant.txt", "Harbour Board Meets " * 2000, GIANT, 3, 3, date="x" * 100_000, outlet="y" * 100_000,
        url="https://giant.example/" + "z" * 100_000, section="x" * 100_000, speaker="Okafor " * 5000, also=copies,
        passage=GIANT, key="k" * 100_000, score=1.0, span=(0, len(GIANT)),
    )
    return Answer(question, True, (citation,) * top)


def version_1_row(question: str, top: int) -> dict[str, Any]:
    """The same, as an older version of the bot stored it: ``Answer.to_json()``, unbounded and unversioned."""
    citation = {
        "source": "giant.txt", "title": "Harbour Board Meets " * 2000, "quote": GIANT, "passage": GIANT,
        "line_start": 3, "line_end": 3, "score": 1.0, "speaker": "Okafor " * 5000, "section": "x" * 100_000,
        "sources": [f"copy-{n}.txt" for n in range(10_000)],
    }
    return {"question": question, "found": True, "answers": [dict(citation) for _ in range(top)]}


async def test_the_loop_measure_sees_a_callback_that_holds_the_loop() -> None:
    def busy() -> None:
        started = time.thread_time()
        while time.thread_time() - started < 0.15:
            pass

    with loop_lag() as lag:
        asyncio.get_running_loop().call_soon(busy)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    assert lag.worst >= 0.15


def test_the_thread_watch_sees_a_step_run_on_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    importlib.import_module(ASK_CARD)
    with in_threads(monkeypatch, ASK_CARD, "on_card") as calls:
        sys.modules[ASK_CARD].on_card(giant_answer("q", 1), 1)
    assert calls.ran == calls.on_loop == {"on_card"}


@pytest.fixture
def giant_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    def ask(self: Desk, question: str, *, top: int | None = None) -> Answer:
        return giant_answer(question, top or 3)

    monkeypatch.setattr(Desk, "ask", ask)


async def test_a_giant_answer_is_rendered_and_stored_within_bounds_without_blocking_the_loop(
    newsdesk: Harness, giant_answers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = newsdesk.fake
    card_steps = in_threads(monkeypatch, ASK_CARD, "bounded", "decode", "passage_pages", "sources_embed")
    reply_steps = in_threads(monkeypatch, ASK_COG, "answer_embed")
    with loop_lag() as lag, card_steps as card, reply_steps as rendered:
        reply = await newsdesk.ask("What did Okafor say about the lighthouse tender?", channel=fake.news)
        assert reply.embeds and len(reply.embeds[0]["description"]) <= 4096
        ids = {c.split(":")[1]: c for c in custom_ids(reply)}

        await fake.click(reply, ids["full"])
        first = await fake.wait_for_message(shown, timeout=15)
        footer = first.embeds[0]["footer"]["text"]
        assert first.ephemeral and "page 1 of" in footer and "excerpt" in footer
        pages = int(footer.rsplit("page 1 of ", 1)[1].split()[0])
        assert 1 < pages <= 8
        await fake.click(first, next(c for c in custom_ids(first) if c.endswith(":next")))
        second = await fake.wait_for_message(shown, timeout=15)
        assert "page 2 of" in second.embeds[0]["footer"]["text"]

        await fake.click(reply, ids["more"])
        more = await fake.wait_for_message(shown, timeout=15)
        assert more.ephemeral and "Sources for" in embed_text(more)
    assert card.ran | rendered.ran == {"bounded", "decode", "passage_pages", "sources_embed", "answer_embed"}
    assert card.on_loop | rendered.on_loop == set()
    assert lag.callbacks and lag.worst < LOOP_BUDGET, f"one callback held the event loop for {lag.worst * 1000:.0f} ms of CPU"
    assert fake.errors == [] and fake.all_pings() == set()

    db = sqlite3.connect(newsdesk.bot.store.path)
    [(size,)] = db.execute("SELECT length(CAST(payload AS BLOB)) FROM answers").fetchall()
    db.close()
    assert size <= STORED_PAYLOAD_LIMIT, f"stored answer payload is {size} bytes"


async def test_a_giant_article_in_the_corpus_pages_and_stores_within_bounds(newsdesk: Harness) -> None:
    """The same through the real answer pipeline (1 MB here: the pipeline's own time grows fast with it)."""
    fake = newsdesk.fake
    (newsdesk.corpus / "giant.txt").write_text("Harbour Board Meets\n\nChair Ines Okafor said " + GIANT[:1_000_000] + "\n")
    with loop_lag() as lag:
        refresh = await newsdesk.command("refresh", user=fake.owner)
        await refresh.wait_callback()
        await fake.wait_for_message(shown, timeout=15)
        reply = await newsdesk.ask("What did Okafor say about the lighthouse tender?", channel=fake.news)
        assert "giant.txt" in embed_text(reply) and len(reply.embeds[0]["description"]) <= 4096
        # Passages are bounded (index/passages.py), so the giant article's passage fits a page or two;
        # Context is offered when it shows more than the card's quote.
        context = [c for c in custom_ids(reply) if ":full:" in c]
        if context:
            await fake.click(reply, context[0])
            first = await fake.wait_for_message(shown, timeout=15)
            assert "Okafor" in embed_text(first) and len(first.embeds[0]["description"]) <= 4096
    assert lag.callbacks and lag.worst < LOOP_BUDGET, f"one callback held the event loop for {lag.worst * 1000:.0f} ms of CPU"
    db = sqlite3.connect(newsdesk.bot.store.path)
    [(size,)] = db.execute("SELECT length(CAST(payload AS BLOB)) FROM answers").fetchall()
    db.close()
    assert size <= STORED_PAYLOAD_LIMIT, f"stored answer payload is {size} bytes"
    assert fake.errors == [] and fake.all_pings() == set()


async def test_an_answer_stored_unbounded_by_an_older_version_still_pages_within_bounds(
    newsdesk: Harness, giant_answers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = newsdesk.fake
    reply = await newsdesk.ask("What did Okafor say?", channel=fake.news)
    answer_id = int(custom_ids(reply)[0].split(":")[2])
    db = sqlite3.connect(newsdesk.bot.store.path)
    import json

    db.execute("UPDATE answers SET payload = ? WHERE id = ?", (json.dumps(version_1_row("q", 3)), answer_id))
    db.commit()
    db.close()
    with loop_lag() as lag, in_threads(monkeypatch, ASK_CARD, "decode", "passage_pages") as steps:
        await fake.click(reply, custom_ids(reply)[0])
        first = await fake.wait_for_message(shown, timeout=15)
    assert "page 1 of" in first.embeds[0]["footer"]["text"] and len(first.embeds[0]["description"]) <= 4096
    assert steps.ran == {"decode", "passage_pages"} and steps.on_loop == set()  # the 9 MB row is read in a thread
    assert lag.callbacks and lag.worst < LOOP_BUDGET


async def test_slow_questions_do_not_hold_up_everyone_else(
    fake_discord: FakeDiscord, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_discord
    release = threading.Event()
    real_ask = Desk.ask

    def ask(self: Desk, question: str, *, top: int | None = None) -> Any:
        if "slow" in question:
            release.wait(20)
        return real_ask(self, question, top=top)

    monkeypatch.setattr(Desk, "ask", ask)
    bot = start_bot(bot_settings(fake, corpus, tmp_path / "state"))
    async with fake.running(bot):
        try:
            for n in range(40):  # more than any default thread pool holds
                await fake.send_message(fake.news, fake.member, f"What did Rutte say, slow question {n}?")
            await asyncio.sleep(0.2)
            started = time.perf_counter()
            await fake.send_message(fake.news, fake.owner, "What did Peskov say?")
            answer = await fake.wait_for_message(lambda m: "Peskov" in embed_text(m), timeout=10)
            waited = time.perf_counter() - started
            assert waited < 5.0, f"an ordinary question waited {waited:.1f} s behind slow ones"
            assert answer.channel_id == fake.news.id
        finally:
            release.set()
    bot.store.close()


async def test_a_question_over_its_time_budget_gets_a_short_reply(
    fake_discord: FakeDiscord, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_discord
    release = threading.Event()

    def ask(self: Desk, question: str, *, top: int | None = None) -> Any:
        release.wait(20)
        raise AssertionError("answered after the budget ran out")

    monkeypatch.setattr(Desk, "ask", ask)
    settings = bot_settings(fake, corpus, tmp_path / "state")
    settings = settings.model_copy(update={"answers": settings.answers.model_copy(update={"time_budget_seconds": 0.3})})
    bot = start_bot(settings)
    async with fake.running(bot):
        try:
            interaction = await fake.invoke_command("ask", {"question": "What did Rutte say?"})
            reply = await fake.wait_for_message(shown, timeout=10)
            assert interaction.acked and "taking too long" in reply.content
        finally:
            release.set()
    bot.store.close()
