"""Small rules every layer may use: Metacritic's score bands, the fresh rule, the logistic
function, yes/no words and atomic file writes.

Nothing here imports another critica module, so the pipeline, the figures, the store,
batch and the web can all share one copy of each rule.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

# Metacritic's bands for films and TV: lower bound of each band, best first.
BANDS = (
    (81.0, "universal acclaim"),
    (61.0, "generally favorable"),
    (40.0, "mixed or average"),
    (20.0, "generally unfavorable"),
    (0.0, "overwhelming dislike"),
)
YES = frozenset({"1", "true", "yes", "y", "t", "on"})
NO = frozenset({"0", "false", "no", "n", "f", "off"})


def band_for(score: float) -> str:
    """Metacritic's wording for a 0-100 score."""
    for lower, label in BANDS:
        if score >= lower - 0.5:  # Metacritic rounds to whole numbers before banding
            return label
    return BANDS[-1][1]


class Called(Protocol):
    """Anything with a fresh flag and a score (a review's facts, a stored analysis)."""

    @property
    def fresh(self) -> bool | None: ...

    @property
    def score(self) -> float | None: ...


def is_fresh(found: Called, threshold: float) -> bool:
    """The review's fresh flag, or its score against the fresh threshold when it has none."""
    if found.fresh is not None:
        return found.fresh
    return found.score is not None and found.score >= threshold


def rounded(value: float | None, digits: int = 1) -> float | None:
    """A figure as shown: one decimal by default; None stays None."""
    return None if value is None else round(value, digits)


def sigmoid(z: float) -> float:
    """The logistic function, without overflow for large |z|."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def yes_no(text: str) -> bool | None:
    """A yes/no word (``yes``/``no``, ``true``/``false``, ``1``/``0``, ``y``/``n``, ``t``/``f``,
    ``on``/``off``, any case) as a bool; ``None`` when it is neither."""
    word = text.strip().lower()
    return True if word in YES else False if word in NO else None


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, moved over it only when the block succeeds: a reader
    sees the old file or the new one, never half of one."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(temporary)``, then move the temporary file over ``path``."""
    with atomic_path(path) as temporary:
        write(temporary)
