"""Catalogs of titles: the right film of that name, with its year, people and genres."""

# The IMDb title types `critica catalog import` reads unless told otherwise: what critics
# review (films, series and their episodes, TV films and specials; not shorts or videos).
DEFAULT_TYPES = ("movie", "tvMovie", "tvSeries", "tvMiniSeries", "tvEpisode", "tvSpecial")
