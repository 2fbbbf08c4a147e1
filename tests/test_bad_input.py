"""Bad input: a clear error (exit code != 0, a critica.errors exception) or an unscored result."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import critica
from critica import config
from critica.cli.commands import app
from critica.errors import InputError

runner = CliRunner()


def cli(*args, stdin=None):
    return runner.invoke(app, ["analyze", *args], input=stdin)


def test_empty_file(tmp_path):
    (tmp_path / "e.txt").write_text("")
    result = cli(str(tmp_path / "e.txt"))
    assert result.exit_code == 2 and "empty" in result.output


def test_whitespace_only_stdin():
    result = cli("-", stdin=b"  \n\t \n")
    assert result.exit_code == 2 and "empty" in result.output


def test_binary_file(tmp_path):
    (tmp_path / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    result = cli(str(tmp_path / "x.png"))
    assert result.exit_code == 2 and "binary" in result.output


def test_invalid_utf8_is_decoded_with_a_warning(tmp_path):
    text = b"A superb, moving film with a performance of real grace." + b" caf\xe9 \xff"
    (tmp_path / "l1.txt").write_bytes(text)
    result = cli(str(tmp_path / "l1.txt"), "--json")
    assert result.exit_code == 0 and "superb" in result.output


def test_oversized_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CRITICA_MAX_INPUT_BYTES", "50000000")
    config.settings.cache_clear()
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(50_000_001)
        fh.seek(0)
        fh.write(b"A fine film. ")
    try:
        result = cli(str(big))
    finally:
        config.settings.cache_clear()
    assert result.exit_code == 2 and "CRITICA_MAX_INPUT_BYTES" in result.output


@pytest.mark.parametrize(
    "text",
    [
        "Ce film est une merveille : les acteurs sont formidables et la mise en scène est "
        "d'une élégance rare. Je le recommande sans réserve à tous les amateurs de cinéma.",
        "Dieser Film ist eine einzige Enttäuschung. Die Schauspieler wirken gelangweilt und "
        "die Handlung ergibt keinen Sinn, obwohl die Bilder manchmal schön sind.",
    ],
)
def test_other_languages_are_unscored_not_scored_wrongly(text):
    a = critica.analyze(text)
    assert a.score is None and a.fresh is None and "not English" in a.unscored_reason


def test_html_full_of_scripts(tmp_path):
    scripts = "<script>while(true){}</script>" * 50
    body = f"{scripts}<p>A dazzling, heartfelt film.</p>{scripts}"
    page = f"<html><body onload='evil()'>{body}</body></html>"
    a = critica.analyze(page, content_type="html")
    assert "while(true)" not in a.text and "evil" not in a.text


def test_unreachable_url():
    result = cli("http://nonexistent.invalid/review")
    assert result.exit_code == 2 and "nonexistent.invalid" in result.output


def test_missing_file():
    result = cli("/no/such/review.txt")
    assert result.exit_code == 2 and "no such file" in result.output


def test_python_api_raises_documented_errors():
    with pytest.raises(InputError):
        critica.analyze(b"\x00\x01\x02binary\x00")


def test_a_given_rating_always_scores_a_short_review():
    a = critica.analyze("Just perfect.", rating="5/5")
    assert a.score == 100 and a.fresh is True


@pytest.mark.parametrize(("text", "fresh"), [("Masterpiece.", True), ("Dreadful.", False)])
def test_one_word_verdicts_are_scored_with_low_confidence(text, fresh):
    a = critica.analyze(text)
    assert a.fresh is fresh and a.confidence <= 0.6
    assert any("very short text" in w for w in a.warnings)


def test_a_few_words_never_claim_the_extremes():
    """A few words cannot carry a 0 or a 100: "A fine film." scored 100 with 99.9%
    confidence when the verdict model's features saturated. The 5-way reading now leads
    below 12 words, so mild praise lands below a rave and neither reaches the end."""
    fine, rave, pan = (critica.analyze(t) for t in ("A fine film.", "Masterpiece.", "Dreadful."))
    assert fine.fresh is True and 60 <= fine.score < 95 and fine.confidence < 0.99
    assert fine.score < rave.score < 100
    assert 0 < pan.score < 40
