"""Tests for the language component: English reviews scored, the rest unscored with a reason."""

from __future__ import annotations

import pytest

from critica.document import ReviewDoc
from critica.pipeline.language import Language, make_language

ENGLISH = (
    "The performances are superb, and the writing is sharp for most of the running time. "
    "Still, the last act drags and the ending feels rushed, which is a shame."
)
FRENCH = (
    "Ce film est une belle surprise : les acteurs sont excellents et la mise en scène est "
    "très soignée. Dommage que la fin soit un peu trop longue."
)
GERMAN = (
    "Der Film ist eine schöne Überraschung: Die Schauspieler sind hervorragend und die "
    "Regie ist sehr sorgfältig. Schade, dass das Ende etwas zu lang ist."
)
SPANISH = (
    "La película es una grata sorpresa: los actores son excelentes y la dirección está "
    "muy cuidada. Es una pena que el final sea un poco largo."
)


@pytest.fixture(scope="module")
def language() -> Language:
    return make_language()


def _run(language: Language, text: str) -> ReviewDoc:
    return language(ReviewDoc(raw=text, text=text))


@pytest.mark.parametrize(
    "text",
    [
        ENGLISH,
        "A charming, funny film.",
        "Two thumbs up.",
        "Not worth your time.",
        "Gorgeous, haunting, unforgettable cinema.",
    ],
)
def test_english_is_scored(language: Language, text: str) -> None:
    doc = _run(language, text)
    assert doc.language == "en" and doc.scored
    assert doc.language_confidence >= 0.5


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (FRENCH, "fr"),
        (GERMAN, "de"),
        (SPANISH, "es"),
        ("Un film charmant et drôle.", "fr"),
        ("A la película no le falta nada.", "es"),
    ],
)
def test_other_languages_unscored(language: Language, text: str, lang: str) -> None:
    doc = _run(language, text)
    assert doc.language == lang
    assert doc.unscored_reason is not None
    assert doc.unscored_reason.startswith(f"not English (detected {lang}, confidence ")
    assert doc.unscored_reason.endswith("critica scores English reviews only")


@pytest.mark.parametrize("text", ["", "!!! ??? 123 456", "Excelente.", "Très bien"])
def test_too_short(language: Language, text: str) -> None:
    doc = _run(language, text)
    assert doc.unscored_reason == "too short to analyse" and doc.language is None


@pytest.mark.parametrize("text", ["Brilliant!", "Masterpiece.", "Just perfect.", "Wow, 10/10"])
def test_one_or_two_english_words_are_scored_with_a_warning(language: Language, text: str) -> None:
    doc = _run(language, text)
    assert doc.scored and doc.language == "en"
    assert any("very short text" in w for w in doc.warnings)


def test_a_given_rating_scores_a_short_text_of_unknown_words(language: Language) -> None:
    doc = language(ReviewDoc(raw="Excelente.", text="Excelente.", meta={"rating": "4/5"}))
    assert doc.scored and doc.language is None


@pytest.mark.parametrize(
    "text",
    [
        "x7$k#q!! zz9 qq@@ 0x3f {} ;; <<>> fn(a,b) vvv kkk",
        "asdf qwer zxcv hjkl uiop",
        "{{ $ref }} <<< 0x7f3a >>> __init__ :: &mut ptr -> 0b1010 ;; $$$ %%% qqq zzz",
    ],
)
def test_garbage_unscored(language: Language, text: str) -> None:
    doc = _run(language, text)
    assert doc.unscored_reason is not None and doc.unscored_reason.startswith("not English")


def test_worked_example(language: Language, example_text: str) -> None:
    doc = _run(language, example_text)
    assert doc.scored and doc.language == "en" and doc.language_confidence > 0.99


@pytest.mark.parametrize("text", ["Great cast, terrible script.", "Gorgeous, hollow, overlong."])
def test_short_verdicts_of_known_english_words_are_english(language: Language, text: str) -> None:
    doc = _run(language, text)
    assert doc.scored and doc.language == "en"
