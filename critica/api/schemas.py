"""Request bodies of the REST API, with their limits."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from critica.params import MAX_ID

MAX_TEXT = 200_000  # characters; longer reviews belong in `critica ingest`


class AnalyzeIn(BaseModel):
    text: str = Field(
        min_length=1, max_length=MAX_TEXT, description="The review: plain text or HTML."
    )
    title: str | None = Field(
        None, max_length=500, description="What is reviewed, if the text doesn't say."
    )
    rating: str | None = Field(
        None, max_length=50, description='The critic\'s rating, e.g. "3/4", "B+".'
    )


class TitleCreate(BaseModel):
    name: str = Field(min_length=1, max_length=500)
    kind: Literal["film", "series", "season", "episode"] = "film"
    year: int | None = Field(None, ge=1870, le=2100)
    network: str | None = Field(None, max_length=200)
    parent_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="The series of a season, the season of an episode."
    )
    season: int | None = Field(None, ge=0, le=1000)


class ReviewCreate(BaseModel):
    title_id: int = Field(
        ge=1,
        le=MAX_ID,
        description="The reviewed title (create it first with POST /api/v1/titles).",
    )
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    critic: str | None = Field(None, max_length=200)
    publication: str | None = Field(None, max_length=200)
    top_critic: bool | None = None
    date: dt.date | None = None
    url: str | None = Field(None, max_length=2000)
    rating: str | None = Field(None, max_length=50)


class PublicationUpdate(BaseModel):
    weight: float | None = Field(None, ge=0, le=100)
    top_critic: bool | None = None
