"""A sparse word n-gram model (TF-IDF + logistic regression), shipped as a term table.

It is trained with scikit-learn in ``training/`` and run here with plain
Python and numpy, tokenising exactly as scikit-learn's default analyzer does.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from pathlib import Path

from critica.errors import ModelError

_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def ngrams(text: str, n_max: int = 2) -> list[str]:
    """Word 1..n-grams, lower-cased, as scikit-learn's ``word`` analyzer makes them."""
    words = _TOKEN.findall(text.lower())
    grams = list(words)
    for n in range(2, n_max + 1):
        grams += [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    return grams


def tfidf(text: str, idf: dict[str, float], n_max: int = 2) -> dict[str, float]:
    """Sublinear-TF x IDF weights of a text's known n-grams, L2-normalised (scikit-learn's
    ``TfidfVectorizer(sublinear_tf=True)``); empty when no n-gram is known."""
    counts = Counter(g for g in ngrams(text, n_max) if g in idf)
    values = {t: (1.0 + math.log(c)) * idf[t] for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
    return {t: v / norm for t, v in values.items()}


class NgramModel:
    """Logit of "positive" for a text: sublinear TF, IDF, L2 norm, then a linear model."""

    def __init__(self, path: Path) -> None:
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError) as exc:
            raise ModelError(
                f"n-gram model {path} is unreadable ({exc}); reinstall critica"
            ) from exc
        try:
            self.n_max = int(data["n_max"])
            self.intercept = float(data["intercept"])
            # Columns (terms, idf, weight), which parse about twice as fast as rows.
            self.idf: dict[str, float] = dict(zip(data["terms"], data["idf"], strict=True))
            self.weight: dict[str, float] = dict(zip(data["terms"], data["weight"], strict=True))
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(
                f"n-gram model {path} has another layout ({exc!r}); reinstall critica, "
                "or rebuild it with `make train`"
            ) from exc

    def logit(self, text: str) -> float:
        """Decision value of the linear model (positive: positive review)."""
        values = tfidf(text, self.idf, self.n_max)
        return self.intercept + sum(v * self.weight[t] for t, v in values.items())
