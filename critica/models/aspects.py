"""Aspect model: which parts of the work a sentence judges (acting, writing, pacing ...).

Inputs are the sentence embedding from the shared encoder pass plus one
indicator per aspect for its cue words; one logistic model per aspect, each
with its own threshold. Trained in ``training/train_aspects.py`` on the
hand-labelled corpus in ``training/aspects/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from critica.errors import ModelError
from critica.models import FILES
from critica.models.manifest import load_manifest

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


def cue_features(texts: list[str]) -> np.ndarray:
    """One 0/1 column per aspect: does the sentence use that aspect's cue words?"""
    return np.array(
        [[1.0 if CUE_PATTERNS[a].search(t) else 0.0 for a in ASPECTS] for t in texts]
    ).reshape(len(texts), len(ASPECTS))


class AspectModel:
    """Per-aspect logistic models over ``[embedding, cue indicators]``."""

    def __init__(self, name: str = "aspects-v1", folder: Path = FILES) -> None:
        m = load_manifest(name, folder)
        if tuple(m["aspects"]) != ASPECTS:
            raise ModelError(f"{name} has another aspect list; rebuild it with `make train`")
        self.version = str(m["version"])
        self.coef = np.array(m["coef"])  # aspects x features
        self.intercept = np.array(m["intercept"])
        self.threshold = np.array(m["threshold"])
        self.min_opinion = float(m["min_opinion"])

    def probabilities(self, embeddings: np.ndarray, texts: list[str]) -> np.ndarray:
        """P(aspect discussed) per sentence and aspect."""
        x = np.hstack([embeddings, cue_features(texts)])
        return 1.0 / (1.0 + np.exp(-(x @ self.coef.T + self.intercept)))  # type: ignore[no-any-return]

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
