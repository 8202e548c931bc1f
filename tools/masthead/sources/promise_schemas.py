"""Schemas of the promise files, declared once; docs/promises.md shows these fields.

`contributors/topics/<id>.yml` and `contributors/promises/<id>.yml`: the id is the file name.
Rules that compare fields or files (due before made, unknown people) live in the loader,
`sources/promises.py`, so each message can point at the line of the field it is about.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator

from masthead.domain.slugs import HANDLE_RE, SLUG_RE

from .schemas import Lang, Strict, Text, _as_list

Handle = Annotated[str, Field(pattern=HANDLE_RE.pattern)]
Id = Annotated[str, Field(pattern=SLUG_RE.pattern, max_length=80)]


class TopicFields(Strict):
    """`contributors/topics/<id>.yml`: an idea waiting for a volunteer."""

    # one title, in the site language, or one per language: {en: ..., ru: ...}
    title: Annotated[Text, Field(min_length=1, max_length=200)] | dict[Lang, Annotated[Text, Field(min_length=1, max_length=200)]]
    section: Text = ""
    notes: Annotated[Text, Field(max_length=2000)] = ""
    proposed_by: Handle | None = None
    proposed: date | None = None


class ExtensionFields(Strict):
    """One entry of a promise's `extensions`: the day it was asked and the due date it replaced.
    (Not `on:`: YAML 1.1 reads an unquoted `on` as true.)"""

    asked: date
    was: date
    reason: Annotated[Text, Field(max_length=500)] = ""


class PromiseFields(Strict):
    """`contributors/promises/<id>.yml`: someone's word, with the date they chose."""

    topic: Id
    by: Annotated[list[Handle], BeforeValidator(_as_list), Field(min_length=1)]
    made: date
    due: date
    extensions: list[ExtensionFields] = []
    status: Literal["open", "released", "dropped"] = "open"
    closed: date | None = None
    reason: Annotated[Text, Field(max_length=500)] = ""
    notes: Annotated[Text, Field(max_length=2000)] = ""

    @field_validator("status", mode="before")
    @classmethod
    def _not_delivered(cls, value: Any) -> Any:
        if value == "delivered":
            raise ValueError("'delivered' is read from Git, never written: keep 'status: open' and put "
                             "'promise: <id>' in the story's front matter")
        return value
