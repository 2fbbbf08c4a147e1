"""critica: critic-review analysis — fresh/rotten, 0-100 score, pull quote, aspects, with evidence."""

__version__ = "0.1.0"
