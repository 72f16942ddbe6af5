"""Settings: config file, environment overrides, relative paths, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings
from tests.conftest import ROOT


def test_defaults_without_a_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.config_file is None
    assert settings.corpus_folders == [tmp_path / "seeds"]
    assert settings.answers.top == 3
    assert settings.discord_token is None


def test_the_project_config_is_found_from_a_subfolder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "tests")
    settings = load_settings(environ={})
    assert settings.config_file is not None and settings.config_file.resolve() == ROOT / "config" / "newsdesk.toml"
    assert settings.corpus_folders == [ROOT / "seeds"]


def test_relative_paths_resolve_against_the_config_files_project(tmp_path: Path) -> None:
    project = tmp_path / "site"
    (project / "config").mkdir(parents=True)
    config = project / "config" / "newsdesk.toml"
    config.write_text('[corpus]\nfolders = ["articles", "/abs/news"]\n[index]\nstate_dir = "var/state"\n')
    settings = load_settings(config, environ={})
    assert settings.corpus_folders == [project / "articles", Path("/abs/news")]
    assert settings.state_dir == project / "var" / "state"


def test_environment_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_ANSWERS__TOP", "5")
    monkeypatch.setenv("DISCORD_TOKEN", "abc.def")
    settings = load_settings(ROOT / "config" / "newsdesk.toml")
    assert settings.answers.top == 5
    assert settings.discord_token is not None and settings.discord_token.get_secret_value() == "abc.def"
    assert "abc.def" not in repr(settings) and "abc.def" not in str(settings.model_dump())


def test_newsdesk_config_variable_points_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "other.toml"
    config.write_text("[answers]\ntop = 2\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings(environ={"NEWSDESK_CONFIG": str(config)}).answers.top == 2


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("[answers]\ntop = 0\n", "answers.top"),
        ("[answers]\ntop = 'many'\n", "answers.top"),
        ("[discord]\ncooldown_seconds = -1\n", "discord.cooldown_seconds"),
        ("[discord]\napi_base = 'discord.com'\n", "discord.api_base"),
        ("[answer]\ntop = 3\n", "answer"),
        ("[corpus]\nfolder = ['x']\n", "corpus.folder"),
        ("[discord]\ntoken = 'secret'\n", "DISCORD_TOKEN"),
        ("[store]\nurl = 'mysql://db/newsdesk'\n", "store.url"),
        ("[store]\nurl = 'postgresql://newsdesk:secret@db/newsdesk'\n", "PGPASSWORD"),
        ("[store]\nurl = 'postgresql://newsdesk@db/newsdesk?password=secret'\n", "PGPASSWORD"),
        ("[answers\n", "not valid TOML"),
        ("[index]\nengine = 'xapian'\n", "index.shards"),
        ("[index]\nengine = 'xapian'\nshards = [{ read = 'nohost', write = 'h:1' }]\n", "index.shards.0.read"),
        ("[index]\nengine = 'lucene'\n", "index.engine"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, content: str, named: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(content)
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    assert named in str(caught.value)
    assert "secret" not in str(caught.value)


def test_the_state_is_sqlite_in_the_state_folder_unless_a_server_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config" / "newsdesk.toml"
    config.parent.mkdir()
    config.write_text("[index]\nstate_dir = 'state'\n")
    assert load_settings(config, environ={}).store_location == tmp_path / "state" / "newsdesk.db"
    config.write_text("[store]\nurl = 'postgresql://newsdesk@db.internal/newsdesk'\n")
    assert load_settings(config, environ={}).store_location == "postgresql://newsdesk@db.internal/newsdesk"
    # A password may come from the environment, where the token comes from too.
    url = "postgresql://newsdesk:secret@db.internal/newsdesk"
    monkeypatch.setenv("NEWSDESK_STORE__URL", url)
    assert load_settings(config, environ={}).store_location == url


def test_a_missing_config_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_the_shipped_config_lists_every_setting_with_its_default() -> None:
    """config/newsdesk.toml documents every setting (unset optional ones as comments) at its default."""
    import re
    import tomllib

    from bot.settings import Settings

    text = (ROOT / "config" / "newsdesk.toml").read_text(encoding="utf-8")
    shipped = tomllib.loads(text)
    commented = set(re.findall(r"^\[(\w+)\]|^# (\w+) = ", text, flags=re.MULTILINE))
    defaults = Settings(base_dir=ROOT).model_dump(mode="json")
    for section, values in defaults.items():
        for key, default in values.items():
            if key in shipped.get(section, {}):
                assert shipped[section][key] == default, f"{section}.{key}"
            else:
                assert default is None and ("", key) in commented, f"{section}.{key} is not in config/newsdesk.toml"


def test_the_engine_is_chosen_in_config(tmp_path: Path) -> None:
    from index.tantivy_engine import TANTIVY
    from tests.index.shards import need_xapian

    assert load_settings(environ={}).backend() is TANTIVY
    need_xapian()
    from index.xapian_engine import Address, Shard, XapianBackend

    config = tmp_path / "xapian.toml"
    config.write_text(
        "[index]\nengine = 'xapian'\ntimeout_seconds = 3\n"
        "shards = [{ read = '10.0.0.5:33001', write = '10.0.0.5:33101' }, { read = 'search-2:33001', write = 'search-2:33101' }]\n"
    )
    backend = load_settings(config, environ={}).backend(scheduler="tcp://10.0.0.9:8786")
    assert backend == XapianBackend(
        (Shard(Address("10.0.0.5", 33001), Address("10.0.0.5", 33101)), Shard(Address("search-2", 33001), Address("search-2", 33101))),
        3.0,
        "tcp://10.0.0.9:8786",
    )
