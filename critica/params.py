"""Limits on the numbers a request may carry, shared by the API and the web pages."""

from __future__ import annotations

from fastapi import Path, Query

MAX_ID = 2**63 - 1  # the largest id either database can hold; larger ones are a 422, not a 500
MAX_OFFSET = 10**9

IdPath = Path(ge=1, le=MAX_ID, description="A record id.")
OffsetQuery = Query(0, ge=0, le=MAX_OFFSET, description="Items to skip.")
