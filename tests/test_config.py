from __future__ import annotations

import pytest

from critica import config
from critica.errors import ConfigError


@pytest.fixture(autouse=True)
def fresh_settings():
    config.settings.cache_clear()
    yield
    config.settings.cache_clear()


def test_defaults():
    assert config.get("batch_size") == 64
    assert config.get("fetch_private_hosts") is False


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [("batch_size", "16", 16), ("fetch_timeout", "2.5", 2.5), ("fetch_private_hosts", "yes", True)],
)
def test_environment_overrides(monkeypatch, name, raw, expected):
    monkeypatch.setenv(f"CRITICA_{name.upper()}", raw)
    assert config.get(name) == expected


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("batch_size", "many"),
        ("fetch_private_hosts", "maybe"),
        ("batch_size", "0"),  # out of bounds: at least 1
        ("min_english_confidence", "1.5"),  # a probability
        ("fresh_threshold", "-3"),  # a 0-100 score
        ("fetch_timeout", "0"),
    ],
)
def test_bad_value_names_the_variable(monkeypatch, name, raw):
    monkeypatch.setenv(f"CRITICA_{name.upper()}", raw)
    with pytest.raises(ConfigError, match=f"CRITICA_{name.upper()}=.*Unset it to use the default"):
        config.settings()


def test_unknown_setting():
    with pytest.raises(ConfigError, match="unknown setting"):
        config.get("nope")
