"""Aspect model: which parts of the work a sentence judges (acting, writing, pacing ...).

Aspect detection is mostly lexical: on the hand-labelled corpus the sentence
embedding alone gets a cross-validated micro-F1 of 0.44, cue words alone with
a word TF-IDF about 0.68. So each aspect has one logistic model over the
sentence's word TF-IDF (scikit-learn's analyzer, vocabulary from the labelled
training sentences), two cue-word indicators per aspect (a narrow and a broad
list) and the sentence embedding (projected to 16 principal components in
training and folded into the weights), with its own threshold. Trained in
``training/train_aspects.py`` on the corpus in ``training/aspects/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from critica.errors import ModelError
from critica.models import ASPECTS_MODEL, FILES
from critica.models.manifest import load_manifest
from critica.models.ngram import tfidf

ASPECTS = (
    "performances",
    "characters",
    "writing",
    "story",
    "pacing",
    "ending",
    "direction",
    "visuals",
    "music_sound",
    "humor",
    "themes",
    "overall",
)

# Cue words: evidence for an aspect, and where in a sentence it is discussed.
CUES: dict[str, str] = {
    "performances": r"act(?:ing|or|ors|ress|resses)|performance|performances|performer|cast|"
    r"played by|plays|portray\w*|turn as|starring|stars?|ensemble|chemistry|deliver\w*",
    "characters": r"characters?|protagonists?|heroine|hero|villains?|characteri[sz]ation|arcs?|"
    r"antagonists?|figures?",
    "writing": r"script\w*|screenplay|dialogue|writ\w*|lines|scribe|penned",
    "story": r"plot\w*|story|stories|storyline|storytelling|premise|twists?|narrative|"
    r"coincidences?|contrived|predictable|tale|mystery",
    "pacing": r"pac(?:e|ing|ed)|slow\w*|drags?|dragg\w*|length|lengthy|long|runtime|running time|"
    r"editing|edited|tedious|overlong|brisk|minutes|padded|bloated|meander\w*",
    "ending": r"ending|ends|finale|final act|climax|conclusions?|last act|third act|resolution|"
    r"denouement|final scenes?",
    "direction": r"direct(?:or|ors|ed|ion|ing)|filmmaker\w*|helm\w*|staging|auteur",
    "visuals": r"visual\w*|cinematograph\w*|photograph\w*|looks?|effects|cgi|animation|animated|"
    r"design|shots?|imagery|images|gorgeous|beautiful(?:ly)? shot|lensed|camera\w*|colou?rs?",
    "music_sound": r"music\w*|score|soundtrack|songs?|sound\w*|composer|melod\w*|tunes?",
    "humor": r"funny|funnier|humou?r\w*|laugh\w*|comedy|comedic|comic\w*|jokes?|gags?|hilari\w*|"
    r"witty|wit|amusing|droll",
    "themes": r"themes?|thematic\w*|message|commentary|ideas?|social|political|explores?|"
    r"meditation|allegory|timely|racism|grief|identity",
    "overall": r"film|movie|series|show|picture|season|watch|recommend\w*|worth|entertainment|"
    r"cinema|experience",
}
CUE_PATTERNS = {a: re.compile(rf"\b(?:{p})\b", re.IGNORECASE) for a, p in CUES.items()}

# Broader cues, from the annotation guideline's definitions: words that often
# (not always) signal the aspect. The model weighs them; the narrow list above
# also places an aspect within a sentence's clauses.
BROAD_CUES: dict[str, str] = {
    "performances": r"act(?:ing|or|ors|ress|resses|ed)?|performances?|performers?|cast|casting|"
    r"miscast\w*|voice[sd]?|voicing|played by|plays|played|playing|portray\w*|turns? as|starring|"
    r"stars?|co-stars?|ensemble|chemistry|roles?|leads?|supporting|charism\w*|screen presence|"
    r"wooden|hamm?(?:y|ing)|overact\w*|mugg\w*|nuanced|understated|delivers?|delivery",
    "characters": r"characters?|characteri[sz]ations?|protagonists?|heroes|heroine|hero|villains?|"
    r"antagonists?|sidekicks?|arcs?|likable|likeable|unlikable|unlikeable|one-dimensional|"
    r"two-dimensional|cardboard|stereotyp\w*|caricatures?|root for|care about|inner life|"
    r"sympathetic|relatable|relationships?|personalit\w*|figures?|creatures?|people",
    "writing": r"script\w*|screenplay\w*|screenwrit\w*|dialogue|dialog|writ\w*|lines|one-liners?|"
    r"exposition|adapt\w*|wordplay|quips?|banter|scribe|penned|clunky",
    "story": r"plot\w*|story|stories|storyline|storytelling|premise|twists?|narrative\w*|"
    r"coincidences?|contriv\w*|predictab\w*|plausib\w*|implausib\w*|far-fetched|convoluted|"
    r"suspense\w*|structure|structured|subplots?|tale|yarn|mystery|surprises?|surprising|guessing|"
    r"setup|set-up|formula\w*|clich\w*",
    "pacing": r"pac(?:e|ing|ed|y)|fast-paced|slow\w*|drags?|dragg\w*|length|lengthy|long|longer|"
    r"runtime|running time|editing|edited|tedious|overlong|brisk\w*|minutes|hours?|padded|padding|"
    r"bloat\w*|meander\w*|plod\w*|sluggish|languid|leisurely|momentum|rhythm\w*|breakneck|"
    r"breathless\w*|zippy|overstay\w*|trim\w*|episodic",
    "ending": r"ending|endings|ends|finale|final act|climax\w*|conclusions?|concludes|last act|"
    r"third act|last reel|final reel|resolution|denouement|final scenes?|final minutes|wraps up|"
    r"closing",
    "direction": r"direct(?:or|ors|ed|ion|ing|orial)|filmmak\w*|helm\w*|staging|staged|auteur|tone|"
    r"tonal\w*|heavy-handed\w*|sure-handed|deft\w*|restrain\w*|sentimental\w*|mawkish|syrupy|"
    r"schmaltz\w*|manipulat\w*|overwrought|melodrama\w*|stylish\w*|style|craft\w*|vision|touch|"
    r"control",
    "visuals": r"visual\w*|cinematograph\w*|photograph\w*|looks?|looking|effects|cgi|animation|"
    r"animated|animators?|design\w*|shots?|shot|imagery|images?|gorgeous\w*|beautiful\w*|"
    r"stunning\w*|eye-popping|eye candy|spectacle|spectacular|dazzl\w*|lush|vibrant|rendered|"
    r"rendering|textures?|palette|colou?rs?|colou?rful|lensed|camera\w*|3-?d|costumes?|sets|scenery|"
    r"landscapes?|pretty|lovely to look|artistry|artists?",
    "music_sound": r"music\w*|score|scored|soundtrack|songs?|sound\w*|composer|melod\w*|tunes?|"
    r"singing|sung|singer|lyrics?|musical numbers?|numbers",
    "humor": r"funny|funnier|funniest|humou?r\w*|laugh\w*|comedy|comedic|comic\w*|jokes?|gags?|"
    r"hilari\w*|witty|wit|amusing|droll|slapstick|puns?|giggl\w*|chuckl\w*|zany|wisecrack\w*|"
    r"yuks|jokey",
    "themes": r"themes?|thematic\w*|message\w*|commentary|ideas?|social|political|explor\w*|"
    r"meditation|allegory|timely|racism|grief|identity|satir\w*|insight\w*|profound\w*|lessons?|"
    r"moral\w*|preach\w*|subtext|depth|deep|thoughtful|thought-provoking|wisdom|truths?|society|"
    r"family|friendship|loss|death|growing up|mortality|says something|about",
    "overall": r"film|films|movie|movies|series|show|picture|season|flick|watch|recommend\w*|worth|"
    r"entertainment|entertaining|cinema|experience|fun|delight\w*|charm\w*|masterpiece|"
    r"triumph\w*|classic|best|worst|mess|disappoint\w*|treat|enjoyable|enjoy|skip|sequel|sequels|"
    r"year's|fans|kids|audiences?|dull|boring|bore|gem|winner|failure|misfire|great|good|bad|"
    r"terrific|wonderful|brilliant|excellent|mediocre|forgettable|satisfying|achievement",
}
BROAD_PATTERNS = {a: re.compile(rf"\b(?:{p})\b", re.IGNORECASE) for a, p in BROAD_CUES.items()}


# The same cue patterns, case-sensitive, for lower-cased text: about 3x faster than
# IGNORECASE over SST's phrases, with the same answers.
_LOWER_PATTERNS = tuple(
    {a: re.compile(rf"\b(?:{p})\b") for a, p in cues.items()} for cues in (CUES, BROAD_CUES)
)


def cue_text(text: str) -> tuple[str, tuple[dict[str, re.Pattern[str]], ...]]:
    """The text to search for cue words and the (narrow, broad) patterns to search it with:
    the lower-cased text, unless lower-casing moves characters (a few non-ASCII letters
    lower-case to two), when the original text and the IGNORECASE patterns."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered, _LOWER_PATTERNS
    return text, (CUE_PATTERNS, BROAD_PATTERNS)


def cue_features(texts: list[str]) -> np.ndarray:
    """Two 0/1 columns per aspect (narrow cues for every aspect, then broad cues):
    does the sentence use that aspect's cue words?"""
    rows = []
    for text in texts:
        searched, lists = cue_text(text)
        rows.append([1.0 if pats[a].search(searched) else 0.0 for pats in lists for a in ASPECTS])
    return np.array(rows).reshape(len(texts), 2 * len(ASPECTS))


class AspectModel:
    """Per-aspect logistic models over ``[embedding, cue indicators]`` and word TF-IDF."""

    def __init__(self, name: str = ASPECTS_MODEL, folder: Path = FILES) -> None:
        m = load_manifest(name, folder)
        if tuple(m["aspects"]) != ASPECTS:
            raise ModelError(f"{name} has another aspect list; rebuild it with `make train`")
        self.version = str(m["version"])
        self.coef = np.array(m["coef"])  # aspects x (embedding + cue) features
        self.intercept = np.array(m["intercept"])
        self.threshold = np.array(m["threshold"])
        self.min_opinion = float(m["min_opinion"])
        self.n_max = int(m["tfidf"]["n_max"])
        self.idf: dict[str, float] = {}
        self.term_coef: dict[str, np.ndarray] = {}
        for term, idf, weights in m["tfidf"]["terms"]:
            self.idf[term] = float(idf)
            self.term_coef[term] = np.array(weights)

    def probabilities(self, embeddings: np.ndarray, texts: list[str]) -> np.ndarray:
        """P(aspect discussed) per sentence and aspect."""
        x = np.hstack([embeddings, cue_features(texts)])
        z = x @ self.coef.T + self.intercept
        for i, text in enumerate(texts):
            for term, value in tfidf(text, self.idf, self.n_max).items():
                z[i] += value * self.term_coef[term]
        return 1.0 / (1.0 + np.exp(-z))  # type: ignore[no-any-return]

    def detect(self, embeddings: np.ndarray, texts: list[str]) -> list[list[str]]:
        """Aspect names per sentence, strongest first."""
        probs = self.probabilities(embeddings, texts)
        out = []
        for row in probs:
            hits = [i for i in np.argsort(-row) if row[i] >= self.threshold[i]]
            out.append([ASPECTS[i] for i in hits])
        return out

    @staticmethod
    def write(folder: Path, name: str, body: dict[str, object]) -> None:
        """Write an aspect manifest (used by training)."""
        doc = {"version": name.split("-", 1)[1], "name": name, "aspects": list(ASPECTS), **body}
        (folder / f"{name}.json").write_text(json.dumps(doc) + "\n")
