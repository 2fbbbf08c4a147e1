from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from critica.cli.commands import app

runner = CliRunner()
REVIEW = "A warm, witty and beautifully acted comedy that never puts a foot wrong."


@pytest.fixture
def review_file(tmp_path):
    path = tmp_path / "review.txt"
    path.write_text(REVIEW, encoding="utf-8")
    return path


def test_analyze_file(review_file):
    result = runner.invoke(app, ["analyze", str(review_file)])
    assert result.exit_code == 0 and "FRESH" in result.output


def test_analyze_json(review_file):
    result = runner.invoke(app, ["analyze", str(review_file), "--json"])
    assert json.loads(result.output)["fresh"] is True


def test_analyze_stdin_with_title_and_rating():
    result = runner.invoke(
        app,
        ["analyze", "-", "--title", "Seven Seconds", "--rating", "3/5", "--json"],
        input=REVIEW.encode(),
    )
    data = json.loads(result.output)
    assert data["title"]["name"] == "Seven Seconds" and data["score"] == 60.0


def test_bad_rating_option_is_an_error(review_file):
    result = runner.invoke(app, ["analyze", str(review_file), "--rating", "lots"])
    assert result.exit_code == 2 and "error" in result.output


def test_html_file_drops_scripts(tmp_path):
    page = tmp_path / "r.html"
    page.write_text(
        "<html><head><script>alert('x')</script></head><body><article><p>"
        + REVIEW
        + "</p></article><script>document.write('pwned')</script></body></html>"
    )
    data = json.loads(runner.invoke(app, ["analyze", str(page), "--json"]).output)
    assert "alert" not in data["text"] and "pwned" not in data["text"] and "witty" in data["text"]


@pytest.mark.parametrize(
    "command", ["analyze", "demo", "ingest", "title", "serve", "token", "reanalyze"]
)
def test_every_command_has_help(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and len(result.output) > 100


def test_demo_without_serving():
    result = runner.invoke(app, ["demo", "--no-serve"])
    assert result.exit_code == 0
    assert "demo reviews" in result.output and "One review in full" in result.output
    assert "hacked" not in result.output


def test_version():
    import critica

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"critica {critica.__version__}"


def test_a_taken_port_is_a_clear_error_before_any_work(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(
            app, ["serve", "--port", str(port), "--db", f"sqlite:///{tmp_path / 'x.db'}"]
        )
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output and "--port" in result.output
    assert not (tmp_path / "x.db").exists()  # stopped before opening anything


def test_demo_on_a_taken_port_says_so_before_analysing():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["demo", "--port", str(port)])
    assert result.exit_code == 2
    assert "make demo PORT=" in result.output and "demo reviews" not in result.output


def test_ingest_of_only_bad_rows_fails_and_says_why(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "X", "text": ""}\n{"title": "Y"}\n', encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'c.db'}"
    result = runner.invoke(app, ["ingest", str(bad), "--db", db])
    assert result.exit_code == 2, result.output
    assert "nothing stored: all 2 row(s) were rejected" in result.output


def test_batch_of_only_bad_rows_fails_and_says_why(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": ""}\n{"id": "b"}\n', encoding="utf-8")
    result = runner.invoke(app, ["batch", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "nothing analysed: all 2 row(s) were rejected" in result.output


def test_tables_written_to_a_pipe_are_not_cut_at_80_columns(tmp_path):
    # CliRunner's output is not a terminal, as a pipe is not
    result = runner.invoke(app, ["demo", "--no-serve"])
    assert result.exit_code == 0
    assert "Miriam Achterberg" in result.output  # cut to "Miriam Achte…" at 80 columns
    assert max(len(line) for line in result.output.splitlines()) > 80
