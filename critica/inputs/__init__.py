"""Where reviews come from: standard input, files, URLs (``sources``) and bulk
formats — folders, JSONL, CSV, Parquet, the Rotten Tomatoes layouts (``readers``)."""
