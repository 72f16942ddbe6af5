"""The newsdesk command line: ask (human and JSON, one question or a stream), sources, index, add, remove, feeds poll."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import ROOT

#: ``newsdesk ARGS…`` in-process with ``stdin``: (exit code, stdout, stderr).
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    monkeypatch.setenv("NEWSDESK_INDEX__STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("NEWSDESK_CORPUS__FOLDERS", json.dumps([str(corpus)]))

    def invoke(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(["--config", str(ROOT / "config" / "newsdesk.toml"), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_ask_prints_the_quote_then_the_headline_then_the_file_and_line(run: Run) -> None:
    code, out, _ = run("ask", "What did Rutte say?")
    assert code == 0
    quote, headline, where = out.splitlines()[:3]
    assert "Rutte" in quote and "“" in quote
    assert headline == "  \u2014 Trump Faces Challenges in Ukraine Peace Efforts"
    assert where == "    003_2c1112b90513d27d.txt, line 11"


def test_a_fetched_article_is_cited_with_outlet_date_and_address(run: Run, corpus: Path) -> None:
    (corpus / "gazette.txt").write_text(
        "---\ntitle: Harbour Wall Rebuilt Before Storms\ndate: 2025-05-04\noutlet: Port Gazette\n"
        "url: https://gazette.example/wall\n---\n"
        "\u201cWe did not cut a single corner on safety,\u201d said harbour master Ines Okafor, who led the repairs.\n"
    )
    code, out, _ = run("ask", "What did Okafor say?")
    assert code == 0
    assert out.splitlines()[1:3] == [
        "  \u2014 Harbour Wall Rebuilt Before Storms \u2014 Port Gazette, 4 May 2025",
        "    gazette.txt, line 7 \u00b7 https://gazette.example/wall",
    ]
    # An article without a headline is named by its first sentence, never by its hash-like file name.
    code, out, _ = run("ask", "Who interviewed Trump on Meet the Press?")
    assert "  \u2014 President Donald Trump has signaled that his administration may abandon efforts to broker\u2026" in out


def test_ask_json_keys_are_exactly_as_they_were(run: Run, corpus: Path) -> None:
    paragraph = "\u201cWe will rebuild the harbour wall before the winter storms arrive,\u201d harbour master Ines Okafor said."
    for name in ("wire-a.txt", "wire-b.txt"):
        (corpus / name).write_text(f"---\ntitle: Harbour Wall Plan\noutlet: Quay News\nurl: https://quay.example/{name}\n---\n{paragraph}\n")
    _, out, _ = run("ask", "--json", "What did Okafor say?")
    data = json.loads(out)
    assert set(data) == {"question", "found", "answers"}
    [best] = [a for a in data["answers"] if a["source"].startswith("wire-")]
    assert set(best) == {"source", "title", "quote", "passage", "line_start", "line_end", "score", "speaker", "sources"}
    assert sorted(best["sources"]) == ["wire-a.txt", "wire-b.txt"]  # file names, as always
    _, out, _ = run("ask", "--json", "What did Macron say?")
    assert set(json.loads(out)) == {"question", "found", "answers", "message"}


def test_ask_json_stream_answers_every_line(run: Run) -> None:
    questions = ["What did Rutte say?", "", "What did Macron say?", "x" * 3000, "How many civilians were killed in the Sumy strike?"]
    code, out, _ = run("ask", "--json", "-", stdin="\n".join(questions) + "\n")
    assert code == 0
    replies = [json.loads(line) for line in out.splitlines()]
    assert [r["question"] for r in replies] == questions
    assert [r["found"] for r in replies] == [True, False, False, False, True]
    assert all(r["message"] for r in replies if not r["found"])
    best = replies[0]["answers"][0]
    assert {"source", "title", "quote", "passage", "line_start", "line_end", "score", "speaker"} <= set(best)


def test_ask_top_limits_the_answers(run: Run) -> None:
    _, out, _ = run("ask", "--json", "--top", "1", "What did Peskov say?")
    assert len(json.loads(out)["answers"]) == 1


def test_bad_question_is_a_message_not_a_traceback(run: Run) -> None:
    code, out, err = run("ask", "   ")
    assert code == 1 and out == "" and "Traceback" not in err and "Ask a question" in err


def test_sources_lists_the_articles(run: Run) -> None:
    code, out, _ = run("sources")
    assert code == 0
    assert "002_8bc5e7102b110562.txt" in out and "by Rebecca Sullivan" in out and "5 articles" in out


def test_index_reports_changes_and_skips(run: Run, corpus: Path) -> None:
    run("index")
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02")
    (corpus / "000_2dc657ec8ac27053.txt").unlink()
    code, out, _ = run("index")
    assert code == 0
    assert "removed  000_2dc657ec8ac27053.txt" in out
    assert "skipped  broken.txt: binary file" in out
    assert "4 articles" in out


def test_index_after_an_upgrade_says_it_rebuilt_and_nothing_changed(run: Run, tmp_path: Path) -> None:
    _, first, _ = run("index")
    assert "added    000_2dc657ec8ac27053.txt" in first
    manifest = next((tmp_path / "state").rglob("manifest.json"))
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "stamp": {"manifest": 0}}))
    code, out, _ = run("index")
    assert code == 0
    assert "Built the index from scratch (it was built by another version of newsdesk)." in out
    assert "No article changed." in out and "added" not in out


def test_missing_corpus_is_a_clear_error(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run("ask", "--corpus", str(tmp_path / "missing"), "What did Rutte say?")
    assert code == 2 and "does not exist" in err and "Traceback" not in err


def test_bad_config_exits_2_naming_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[answers]\ntop = 99\n")
    assert main(["--config", str(config), "ask", "What did Rutte say?"]) == 2
    assert "answers.top" in capsys.readouterr().err


def test_terminal_commands_do_not_import_discord(tmp_path: Path) -> None:
    script = (
        "import sys; from bot.cli import main; "
        f"code = main(['ask', '--corpus', {str(ROOT / 'seeds')!r}, 'What did Rutte say?']); "
        "assert 'discord' not in sys.modules, 'discord was imported'; sys.exit(code)"
    )
    env = {"PATH": "/usr/bin:/bin", "NEWSDESK_INDEX__STATE_DIR": str(tmp_path / "state")}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Rutte" in done.stdout


def test_summary_json_and_text(run: Run) -> None:
    code, out, _ = run("summary", "--json")
    data = json.loads(out)
    assert code == 0 and data["kind"] == "overview" and len(data["points"]) >= 4
    assert set(data) == {"kind", "title", "points"}
    assert all({"text", "source", "title", "line_start", "line_end"} <= set(p) <= {*p, "date", "sources", "speaker"} for p in data["points"])
    assert all(isinstance(c, dict) and "source" in c for p in data["points"] for c in p.get("sources", []))
    code, out, _ = run("summary", "--topic", "sanctions")
    assert code == 0 and out.startswith("What the coverage says about sanctions") and "\u2014 " in out
    code, out, _ = run("summary", "--person", "Macron", "--json")
    assert json.loads(out)["message"] == "The coverage doesn't mention Macron."
    code, out, _ = run("summary", "--article", "002_8bc5e7102b110562.txt", "--json")
    assert {p["source"] for p in json.loads(out)["points"]} == {"002_8bc5e7102b110562.txt"}


def test_summary_options_are_exclusive(run: Run) -> None:
    with pytest.raises(SystemExit) as caught:
        run("summary", "--topic", "a", "--person", "b")
    assert caught.value.code == 2


def test_check_command(run: Run) -> None:
    code, out, _ = run("check", "Trump said Russia is not serious about peace")
    assert code == 0 and out.startswith("The coverage gives these words to Volodymyr Zelenskyy, not Trump.")
    code, out, _ = run("check", "--json", "Russia remains the biggest long-term threat to NATO")
    data = json.loads(out)
    assert data["verdict"] == "altered" and data["matches"][0]["differences"]
    assert set(data) == {"text", "verdict", "message", "matches"}
    assert set(data["matches"][0]) == {
        "verdict", "source", "title", "line_start", "line_end", "original", "similarity", "speaker", "differences",
        "original_marks", "pasted_marks",
    }
    code, _, err = run("check", "hi")
    assert code == 1 and "few words" in err


@pytest.mark.parametrize("host", ["①②⑦.⓪.⓪.①", "１２７．０．０．１", "127。0。0。1", "[::ffff:127.0.0.1]", "0.0.0.0"])
def test_add_refuses_every_spelling_of_a_local_address(run: Run, corpus: Path, host: str) -> None:
    from tests.pages import serve_pages_in_thread

    with serve_pages_in_thread() as site:
        code, out, err = run("add", site.replace("127.0.0.1", host) + "/article/wall")
    assert code != 0 and out == "" and "is a private or local network address; not fetching it" in err
    assert "Traceback" not in err and not (corpus / "added").exists()
    _, answer, _ = run("ask", "--json", "What did Okafor say?")
    assert json.loads(answer)["found"] is False


def test_add_remove_and_feeds_poll_take_the_bots_update_path(run: Run, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.store import Store
    from tests.pages import serve_pages_in_thread

    (tmp_path / "notes.md").write_text("Council Notes\n\nThe council agreed on Monday to cut ferry fares for pensioners.\n")
    code, out, _ = run("add", str(tmp_path / "notes.md"))
    assert code == 0 and out.startswith("Added: Council Notes (notes.md,")
    code, out, _ = run("remove", "notes.md")
    assert code == 0 and out.startswith("Removed Council Notes (notes.md); the file is now") and (corpus / "removed" / "notes.md").is_file()
    with serve_pages_in_thread() as site:
        monkeypatch.setenv("NEWSDESK_FEEDS__URLS", json.dumps([f"{site}/feed.atom"]))
        monkeypatch.setenv("NEWSDESK_INGEST__ALLOW_PRIVATE", "true")
        code, out, _ = run("feeds", "poll")
        assert code == 0 and out.startswith("added   port-gazette-new-quay-opens-to-fishing-boats.txt: New quay opens")
        code, again, _ = run("feeds", "poll")
        assert code == 0 and again == "No new items.\n"
    store = Store(tmp_path / "state" / "newsdesk.db")
    try:
        assert store.last_refresh().by == "newsdesk feeds"  # recorded where /about reads it
    finally:
        store.close()
