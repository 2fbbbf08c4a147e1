"""critica: critic-review analysis — fresh/rotten, 0-100 score, pull quote, aspects, with evidence.

>>> import critica
>>> a = critica.analyze("A warm, funny and beautifully acted film.")
>>> a.fresh, a.band
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from critica.analysis import Analysis, AspectSummary
from critica.core import analyze, analyze_many
from critica.pipeline.rating import parse_rating

try:
    __version__ = version("critica")  # one version string: pyproject.toml's, as installed
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
__all__ = ["Analysis", "AspectSummary", "__version__", "analyze", "analyze_many", "parse_rating"]
