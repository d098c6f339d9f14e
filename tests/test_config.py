"""Tests for ex3.config, the one reader of the ``EX3_*`` environment variables."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from ex3 import config
from ex3.errors import UsageError
from ex3.training import threads

REPO = Path(__file__).resolve().parents[1]


def test_blank_values_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (config.DATA_DIR_ENV, config.SEEDS_ENV, config.NO_CACHE_ENV):
        monkeypatch.setenv(name, "  ")
    assert config.data_dir_from_env() is None
    assert config.seeds_from_env() is None
    assert config.cache_enabled()


def test_data_dir_names_its_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.DATA_DIR_ENV, " /data/mnist ")
    assert config.data_dir_from_env() == ("/data/mnist", "EX3_DATA_DIR=/data/mnist")


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_bad_seeds_name_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(config.SEEDS_ENV, value)
    with pytest.raises(UsageError, match=f"EX3_SEEDS={value!r}"):
        config.seeds_from_env()


def test_seeds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.SEEDS_ENV, "3")
    assert config.seeds_from_env() == 3


def test_loop_threads_sets_and_restores_what_the_loop_reads(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.THREADS_ENV, raising=False)
    with config.loop_threads(2):
        assert threads.train_threads() == 2
    assert config.THREADS_ENV not in os.environ


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_bad_threads_name_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(config.THREADS_ENV, value)
    with pytest.raises(UsageError, match=f"EX3_THREADS={value!r}"):
        config.threads_from_env()


def test_suite_environment_turns_the_cache_on(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.setenv(config.NO_CACHE_ENV, "1")
    env = config.suite_environment(tmp_path)
    assert config.NO_CACHE_ENV not in env
    assert env[config.CACHE_DIR_ENV] == str(tmp_path)
    assert env[config.PROFILE_ENV] == "quick"


def _reads_environment(path: Path) -> bool:
    """Whether a module reads ``os.environ`` / ``os.getenv`` with an ``EX3_`` name in it."""
    text = path.read_text(encoding="utf-8")
    if "EX3_" not in text:
        return False
    return any(isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")
               for node in ast.walk(ast.parse(text)))


def test_only_config_reads_the_environment() -> None:
    modules = [p for folder in ("ex3", "claims", "benchmarks", "scripts")
               for p in (REPO / folder).rglob("*.py")]
    readers = {str(p.relative_to(REPO)) for p in modules if _reads_environment(p)}
    assert readers == {"ex3/config.py"}
