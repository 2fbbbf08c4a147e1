"""critica: critic-review analysis — fresh/rotten, 0-100 score, pull quote, aspects, with evidence.

>>> import critica
>>> a = critica.analyze("A warm, funny and beautifully acted film.")
>>> a.fresh, a.band
"""

from __future__ import annotations

from critica.analysis import Analysis, AspectSummary
from critica.core import analyze, analyze_many
from critica.pipeline.rating import parse_rating

__version__ = "0.1.0"
__all__ = ["Analysis", "AspectSummary", "__version__", "analyze", "analyze_many", "parse_rating"]
