"""The configuration: defaults, YAML, errors, the example file."""

from __future__ import annotations

import pytest
from conftest import ROOT

from cleaners.config import CleanerConfig, ConfigError, load_config


def test_example_config_is_up_to_date():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_config_example", ROOT / "data" / "make_config_example.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert (ROOT / "data" / "config.example.yaml").read_text(encoding="utf-8") == mod.render(), \
        "data/config.example.yaml is stale: run python data/make_config_example.py"


def test_example_config_loads_to_defaults():
    assert load_config(ROOT / "data" / "config.example.yaml") == CleanerConfig()


def test_partial_file_overrides_only_its_keys(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("script:\n  target: t\nquality:\n  min_score: null\n", encoding="utf-8")
    cfg = load_config(p)
    assert cfg.script.target == "t" and cfg.quality.min_score is None
    assert cfg.ftfy == CleanerConfig().ftfy


@pytest.mark.parametrize("text, needle", [
    ("scirpt:\n  target: t\n", "scirpt"),
    ("script:\n  target: klingon\n", "script.target"),
    ("steps: [ftfy, nope]\n", "nope"),
    ("- a\n- b\n", "mapping"),
    ("script: [\n", "not valid YAML"),
])
def test_bad_config_errors_say_where(tmp_path, text, needle):
    p = tmp_path / "c.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=needle.replace("[", r"\[")):
        load_config(p)


def test_missing_file():
    with pytest.raises(ConfigError, match="not found"):
        load_config("/nonexistent/qingxi.yaml")


def test_config_is_immutable_and_hash_tracks_changes():
    cfg = CleanerConfig()
    with pytest.raises(Exception):
        cfg.script.target = "t"  # type: ignore[misc]
    assert cfg.replace(script={"target": "t"}).config_hash() != cfg.config_hash()
    assert cfg.replace(script={"target": "s"}).config_hash() == cfg.config_hash()
