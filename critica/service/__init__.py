"""What the commands, the API and the web pages share: bulk ingest
(``ingest``), bringing stored analyses up to date (``reanalyze``) and one
builder per page returning a JSON-ready dict (``pages``)."""
