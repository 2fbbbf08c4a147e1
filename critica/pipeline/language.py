"""Language identification: critica scores English reviews only."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from tokenizers import Tokenizer

from critica import config
from critica.document import ReviewDoc
from critica.pipeline import BaseComponent, component

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

SAMPLE_CHARS = 3000  # language is settled well before this; longer texts only cost time
MIN_WORDS = 3
SHORT_WORDS = 30  # below this, langid's probabilities are too flat to trust alone
SHORT_CONFIDENCE = 0.5  # language confidence of a one- or two-word verdict
KNOWN_WORDS_MAX = 8  # a text this short made only of the model's English words is English
_WORD = re.compile(r"[^\W\d_]+")


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Frequent English function words; a short text made largely of these is English.
_ENGLISH = _wordset(
    """a an the and or but nor so yet of in on at to for from by with about as into onto
    over under than then that this these those it its is are was were be been being
    am do does did done has have had having not no i me my we our you your he him his she
    her they them their who whom whose which what when where why how all any some each
    every very too also just only more most much many such one if because while though
    will would can could should shall may might must there here up out off"""
)
# Function words of languages langid may confuse with English on short texts; none is English.
_FOREIGN = (
    _wordset(
        """le la les des du un une et est dans pour pas qui que sur avec ce cette mais très
        der die das und ist nicht ein eine mit den dem des sich auf für auch sehr zu
        el los las y es en por con para una lo muy pero del al más su
        il di che è per non gli della sono molto
        os não um uma com muito mas na no da do
        het een van niet ik maar ook zeer op"""
    )
    - _ENGLISH
)


def english_ratio(words: list[str]) -> tuple[float, float]:
    """Shares of the words that are English and non-English function words."""
    lowered = [w.lower() for w in words]
    n = max(len(lowered), 1)
    english = sum(w in _ENGLISH for w in lowered) / n
    foreign = sum(w in _FOREIGN for w in lowered) / n
    return english, foreign


def _plainly_english(words: list[str]) -> float | None:
    """Confidence for a text long enough and so full of English function words that langid
    could only agree (about 40% of running English prose is function words, under 5% of
    French or German); None when langid should decide."""
    if len(words) < SHORT_WORDS:
        return None
    share, foreign = english_ratio(words)
    return 0.999 if share >= 0.3 and foreign < 0.03 else None


def _short_english(words: list[str], ranked: list[tuple[str, float]]) -> float | None:
    """Confidence that a short text langid is unsure about is English, or None if it is not."""
    # One-line pull quotes leave langid's probabilities flat; function words settle it.
    share, foreign = english_ratio(words)
    probs = dict(ranked)
    if "en" not in probs or (foreign >= share and foreign > 0):
        return None
    runner_up = max((p for code, p in ranked if code != "en"), default=0.0)
    if share >= 0.2 or (ranked[0][0] == "en" and probs["en"] >= 2 * runner_up):
        return max(probs["en"], min(0.9, 0.5 + share))
    return None


class Language(BaseComponent):
    """Pipeline component: ``text`` -> ``language``, ``language_confidence``, unscored reason."""

    name = "language"

    def __init__(self, identifier: LanguageIdentifier | None = None) -> None:
        self._identifier = identifier

    @property
    def identifier(self) -> LanguageIdentifier:
        """The langid model, loaded on first need (plainly English text never needs it)."""
        if self._identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return self._identifier

    def detect(self, text: str) -> tuple[str, float]:
        """(language code, confidence) for the start of a text, checked by word list if short."""
        sample = text[:SAMPLE_CHARS]
        fast = _plainly_english(_WORD.findall(sample))
        if fast is not None:
            return "en", fast
        ranked = [(str(code), float(p)) for code, p in self.identifier.rank(sample)[:5]]
        lang, prob = ranked[0]
        words = _WORD.findall(sample)
        if (lang == "en" and prob >= config.get("min_english_confidence")) or (
            len(words) >= SHORT_WORDS
        ):
            return lang, prob
        english = _short_english(words, ranked)
        if english is None and len(words) <= KNOWN_WORDS_MAX and all(map(known_word, words)):
            # "Great cast, terrible script.": no function words for langid to go on,
            # but every word is one the (English) sentence model knows whole.
            english = max(prob if lang == "en" else 0.0, SHORT_CONFIDENCE + 0.1)
        return ("en", english) if english is not None else (lang, prob)

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        if not doc.scored:  # already rejected upstream (e.g. an empty row in a stream)
            return doc
        words = _WORD.findall(doc.text[:SAMPLE_CHARS])
        if len(words) < MIN_WORDS:
            return self._short(doc, words)
        lang, prob = self.detect(doc.text)
        doc.language, doc.language_confidence = lang, prob
        threshold = float(config.get("min_english_confidence"))
        if lang != "en" or prob < threshold:
            shown = "no language" if lang == "zxx" else lang
            low = f", below CRITICA_MIN_ENGLISH_CONFIDENCE={threshold:g}" if lang == "en" else ""
            doc.unscored_reason = (
                f"not English (detected {shown}, confidence {prob:.2f}{low}); "
                "critica scores English reviews only"
            )
        return doc

    @staticmethod
    def _short(doc: ReviewDoc, words: list[str]) -> ReviewDoc:
        """One- and two-word verdicts ("Masterpiece.", "Dreadful.") are scored when every word
        is an English word the sentence model knows whole; a given rating always scores."""
        doc.language, doc.language_confidence = None, 0.0
        if words and all(known_word(w) for w in words):
            doc.language, doc.language_confidence = "en", SHORT_CONFIDENCE
            doc.warnings.append(
                f"very short text ({len(words)} word{'s' if len(words) > 1 else ''}): "
                "the text's score is a rough guess"
            )
        elif words and doc.meta.get("rating"):
            doc.warnings.append("too short to tell the language; the given rating sets the score")
        else:
            doc.unscored_reason = "too short to analyse"
        return doc


def known_word(word: str) -> bool:
    """Whether a word is a whole token of the sentence model's (English) vocabulary."""
    return _vocabulary().token_to_id(word.lower()) is not None and word.isascii()


@lru_cache(maxsize=1)
def _vocabulary() -> Tokenizer:
    from critica.models import FILES

    return Tokenizer.from_file(str(FILES / "tokenizer.json"))


@component(
    "language",
    requires=("text",),
    assigns=("language", "language_confidence", "unscored_reason"),
)
def make_language() -> Language:
    """Build the language component; the langid model loads when a text first needs it."""
    return Language()
