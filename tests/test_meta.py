"""Meta-tests that keep the docs honest."""

from __future__ import annotations

from pathlib import Path

import pytest

from critica.config import SETTINGS
from critica.pipeline import COMPONENTS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting):
    doc = (ROOT / "docs" / "settings.md").read_text()
    assert f"`{setting.env}`" in doc and setting.help in doc


@pytest.mark.parametrize("name", COMPONENTS)
def test_every_component_has_a_test_file(name):
    assert (ROOT / "tests" / "pipeline" / f"test_{name}.py").exists()


def test_readme_quick_start_is_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme


def test_one_version_string():
    """critica.__version__, the API's and the page footer's, is pyproject.toml's."""
    import tomllib

    import critica

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert critica.__version__ == project["version"]


def test_settings_doc_is_the_generated_table():
    from critica import config

    assert config.table() in (ROOT / "docs" / "settings.md").read_text()


def test_schema_doc_is_the_generated_table():
    from critica.analysis import schema_table

    assert schema_table() in (ROOT / "docs" / "schema.md").read_text()


def test_schema_doc_covers_every_analysis_field():
    """docs/schema.md documents exactly the fields of the Analysis model, nested ones too."""
    import dataclasses

    from critica.analysis import Analysis
    from critica.document import Sentence, Span

    doc = (ROOT / "docs" / "schema.md").read_text().split("## Batch output")[0]
    for field in dataclasses.fields(Analysis):
        assert f"`{field.name}`" in doc, field.name
    for record in (Span, Sentence):
        for field in dataclasses.fields(record):
            if not field.name.startswith("_") and field.name not in ("aspects",):
                assert field.name in doc, (record.__name__, field.name)
