"""Building the Xapian shards: in parallel on a Dask cluster on loopback, the same index as one process builds."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from index.refresh import open_coverage
from tests.index.shards import ShardServers, running


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShardServers]:
    with running(tmp_path_factory.mktemp("shards"), 2) as started:
        yield started


def dump(servers: ShardServers) -> list[dict[str, Any]]:
    """Everything a shard holds: statistics, and every document's terms, frequencies, positions and
    data, in the order they were added (document ids go on counting past a rebuild's deletions)."""
    import xapian

    from index.xapian_engine import STAMP

    shards = []
    for reader in servers.readers:
        db = xapian.remote_open("127.0.0.1", reader.port)
        documents = []
        for posting in db.postlist(""):
            document = db.get_document(posting.docid)
            terms = [(t.term, t.wdf, list(db.positionlist(posting.docid, t.term))) for t in document.termlist()]
            documents.append((document.get_data(), terms))
        shards.append(
            {
                "documents": documents,
                "count": db.get_doccount(),
                "average length": db.get_avlength(),
                "terms": [(t.term, t.termfreq) for t in db.allterms()],
                "stamped": bool(db.get_metadata(STAMP)),
            }
        )
        db.close()
    return shards


def where() -> str:
    """The address of the Dask worker running this."""
    from distributed import get_worker

    return str(get_worker().address)


def test_dask_builds_the_same_index_as_one_process(servers: ShardServers, corpus: Path, tmp_path: Path) -> None:
    from index.xapian_engine import XapianBackend

    (corpus / "extra.md").write_text("Another Story\n\nThe council approved the harbour budget on Monday.\n")
    single, report = open_coverage([corpus], tmp_path / "single", backend=XapianBackend(servers.shards()))
    assert report.rebuilt and report.articles == 6
    built_alone = dump(servers)
    assert all(shard["count"] for shard in built_alone)  # both shards hold articles

    parallel, report = open_coverage([corpus], tmp_path / "parallel", backend=XapianBackend(servers.shards(), scheduler="local"))
    assert report.rebuilt and report.articles == 6
    assert dump(servers) == built_alone
    assert list(parallel.articles) == list(single.articles)
    assert [parallel.articles[name] for name in parallel.articles] == [single.articles[name] for name in single.articles]


def test_the_local_cluster_listens_on_loopback_only() -> None:
    from index.dask_build import run_all

    addresses = run_all("local", where, [(), ()])
    assert len(addresses) == 2 and all(address.startswith("tcp://127.0.0.1:") for address in addresses)


def test_newsdesk_index_builds_with_dask_and_ask_answers_from_the_shards(
    servers: ShardServers, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    monkeypatch.setenv("NEWSDESK_INDEX__ENGINE", "xapian")
    monkeypatch.setenv("NEWSDESK_INDEX__SHARDS", json.dumps(servers.settings()))
    monkeypatch.setenv("NEWSDESK_INDEX__STATE_DIR", str(tmp_path / "state"))
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["index", "--dask", "--corpus", str(corpus)]) == 0
    assert "5 articles" in out.getvalue()
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["ask", "--json", "What did Rutte say?", "--corpus", str(corpus)]) == 0
    reply = json.loads(out.getvalue())
    assert reply["found"] and reply["answers"][0]["source"] == "003_2c1112b90513d27d.txt"


def test_a_dask_build_needs_the_xapian_engine(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "none.toml").write_text("")
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("NEWSDESK_INDEX__STATE_DIR", str(tmp_path / "state"))
    assert main(["index", "--dask", "--corpus", str(corpus)]) == 2
    assert 'set index.engine = "xapian"' in capsys.readouterr().err
