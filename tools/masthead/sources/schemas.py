"""Schemas of every YAML input, declared once; the documentation shows these fields.

Validation errors become `Problem`s naming file, line, field, expected and found.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from masthead.domain.contributors import FEDIVERSE_RE, ROLES
from masthead.domain.problems import Problem, Severity
from masthead.domain.slugs import HANDLE_RE, SLUG_RE

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.-]+")  # starts only where a run does: linear
LANG_RE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"


def _as_list(value: Any) -> Any:
    """Let a single value stand for a list of one (`authors: anna`)."""
    return [value] if isinstance(value, (str, int)) and not isinstance(value, bool) else value


def _as_datetime(value: Any) -> Any:
    """Dates, date-times and their ISO texts (`2026-05-14 09:30` has no seconds, YAML keeps it text)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"'{value}' is not a date (write 2026-05-14 or 2026-05-14 09:30)") from None
    raise ValueError(f"a date is needed (write 2026-05-14 or 2026-05-14 09:30), not {type(value).__name__}")


def _as_str(value: Any) -> Any:
    """Numbers and dates written without quotes are still meant as text."""
    return str(value) if isinstance(value, (int, float, date)) and not isinstance(value, bool) else value


Text = Annotated[str, BeforeValidator(_as_str)]
Words = Annotated[list[Annotated[str, BeforeValidator(_as_str), Field(min_length=1, max_length=80)]],
                  BeforeValidator(_as_list)]
When = Annotated[datetime, BeforeValidator(_as_datetime)]
Lang = Annotated[str, Field(pattern=LANG_RE)]
Localised = dict[str, str] | str


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class StoryFields(Strict):
    """Front matter of a story."""

    title: Annotated[Text, Field(min_length=1, max_length=200)]
    authors: Annotated[list[Annotated[str, Field(pattern=HANDLE_RE.pattern)]],
                       BeforeValidator(_as_list), Field(min_length=1)]
    date: When
    section: Text
    summary: Annotated[Text, Field(max_length=600)] = ""
    tags: Words = []
    places: Words = []
    lang: Lang | None = None
    cover: Text = ""
    cover_alt: Text = ""
    cover_credit: Annotated[Text, Field(max_length=300)] = ""
    translation_of: Text = ""
    promise: Text = ""
    draft: bool = False
    updated: When | None = None
    slug: Annotated[str, Field(pattern=SLUG_RE.pattern)] | None = None
    submitted_via: Literal["form", "pull-request", ""] = ""


class LinkFields(Strict):
    label: Annotated[Text, Field(min_length=1, max_length=80)]
    url: Annotated[str, Field(pattern=r"^(https?://|mailto:)\S+$")]


class ContributorFields(Strict):
    """`contributors/<handle>.yml`."""

    name: Annotated[Text, Field(min_length=1, max_length=120)]
    joined: date
    roles: Annotated[list[Literal[ROLES]], BeforeValidator(_as_list), Field(min_length=1)]  # type: ignore[valid-type]
    bio: Annotated[Text, Field(max_length=1000)] = ""
    links: list[LinkFields] = []
    avatar: Text = ""
    avatar_alt: Text = ""
    languages: list[Lang] = []
    places: Words = []
    github: Annotated[str, Field(pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")] = ""
    fediverse: Text = ""  # @user@host (docs/reach.md)

    @field_validator("fediverse")
    @classmethod
    def _fediverse(cls, value: str) -> str:
        if value and not FEDIVERSE_RE.match(value):
            raise ValueError(f"expected a fediverse account as @user@host (e.g. @anna@social.example), found {value!r}")
        return value

    @field_validator("links")
    @classmethod
    def _no_mailto(cls, links: list[LinkFields]) -> list[LinkFields]:
        if any(link.url.startswith("mailto:") for link in links):
            raise ValueError("no e-mail links: the registry is public")
        return links


class SectionFields(Strict):
    id: Annotated[str, Field(pattern=SLUG_RE.pattern)]
    title: Localised
    description: Localised = ""


class WindowFields(Strict):
    id: Annotated[str, Field(pattern=SLUG_RE.pattern + "|^[0-9]+d$")]
    days: Annotated[int, Field(ge=1, le=36600)] | None = None
    since: Literal["year", "start"] | None = None


class LeaderboardFields(Strict):
    windows: list[WindowFields] = [WindowFields(id="30d", days=30), WindowFields(id="year", since="year"),
                                   WindowFields(id="all", since="start")]


class TargetFields(Strict):
    daily_pieces: Annotated[float, Field(ge=0)] = 5
    community_share: Annotated[float, Field(ge=0, le=1)] = 0.5


# --- promises (docs/promises.md): reminder and board windows --------------------------------
class PromiseSettingsFields(Strict):
    """The `promises:` block of `site_config/magazine.yml`."""

    due_soon_days: Annotated[int, Field(ge=0, le=365)] = 7
    stale_days: Annotated[int, Field(ge=1, le=365)] = 14
    recent_days: Annotated[int, Field(ge=1, le=3660)] = 60
    regular_pieces: Annotated[int, Field(ge=2, le=1000)] = 3
    branch: Annotated[str, Field(pattern=r"^[\w./-]+$")] = "main"


class LabelFields(Strict):
    """`labels:`: how tags and places are written in each language (docs/content-model.md)."""

    tags: dict[Text, dict[Lang, Text]] = {}
    places: dict[Text, dict[Lang, Text]] = {}


HOST_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
# --- events, sharing and the fediverse bridge (docs/reach.md) --------------------------------
SHARE_NETWORKS = ("mastodon", "bluesky", "telegram", "whatsapp", "facebook", "linkedin", "x", "vk", "reddit", "email")
Host = Annotated[str, Field(pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", max_length=253)]


class EventSettingsFields(Strict):
    """The `events:` block: when the front page shows an event."""

    home_days: Annotated[int, Field(ge=0, le=366)] = 30


class ShareFields(Strict):
    """The `share:` block: the networks each story page links to, in this order."""

    networks: list[Literal[SHARE_NETWORKS]] = []  # type: ignore[valid-type]
    mastodon: Host = "mastodon.social"  # the instance Mastodon share links open on


class BridgeFields(Strict):
    """The `fediverse_bridge:` block: a bridge that serves the magazine to the fediverse."""

    url: Annotated[str, Field(pattern=r"^https://[^\s<>\"'/]+(/[^\s<>\"']*)?$", max_length=300)]
    actor: Annotated[str, Field(pattern=r"^https://[^\s<>\"']+$", max_length=300)] = ""


class EventFields(Strict):
    """Front matter of an event in `content/events/` (docs/reach.md)."""

    title: Annotated[Text, Field(min_length=1, max_length=200)]
    start: Annotated[Text, Field(min_length=1, max_length=80)]
    end: Annotated[Text, Field(min_length=1, max_length=80)]
    place: Annotated[Text, Field(min_length=1, max_length=300)]
    organisers: Annotated[list[Annotated[str, Field(pattern=HANDLE_RE.pattern)]], BeforeValidator(_as_list),
                          Field(min_length=1)]
    summary: Annotated[Text, Field(max_length=600)] = ""
    links: list[LinkFields] = []
    lang: Lang | None = None
    translation_of: Text = ""
    press_release: Text = ""
    accreditation: bool = False


class MagazineFields(Strict):
    """`site_config/magazine.yml`."""

    title: Annotated[Text, Field(min_length=1, max_length=120)]
    tagline: Localised = ""
    description: Localised = ""
    language: Lang = "en"
    languages: list[Lang] = []
    timezone: str = "UTC"
    sections: Annotated[list[SectionFields], Field(min_length=1)]
    per_page: Annotated[int, Field(ge=1, le=100)] = 10
    feed_items: Annotated[int, Field(ge=1, le=200)] = 20
    feed_content: Literal["full", "summary"] = "full"
    websub_hub: Annotated[str, Field(pattern=r"^(https?://[^\s<>\"']+)?$", max_length=300)] = ""  # docs/reach.md
    trust_raw_html: bool = False
    licence: Text = "CC BY-SA 4.0"
    leaderboard: LeaderboardFields = LeaderboardFields()
    targets: TargetFields = TargetFields()
    words_per_minute: Annotated[int, Field(ge=50, le=1000)] = 220
    toc_headings: Annotated[int, Field(ge=0, le=100)] = 3  # a story with more headings gets contents
    search_shard_stories: Annotated[int, Field(ge=1, le=100_000)] = 700  # docs/search.md
    send_form: bool = True
    promises: PromiseSettingsFields = PromiseSettingsFields()  # promises: see docs/promises.md
    labels: LabelFields = LabelFields()  # tag and place names per language
    # hosts whose <iframe> embeds are shown as click-to-load placeholders (docs/writing.md)
    embeds: list[Annotated[str, Field(max_length=253)]] = [
        "www.youtube-nocookie.com", "player.vimeo.com", "www.openstreetmap.org"]

    @field_validator("embeds")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        for host in value:
            if not HOST_RE.match(host):
                raise ValueError(f"'{host}' is not a host name: write it as player.vimeo.com "
                                 "(lower case, no https://, no path)")
        return value
    events: EventSettingsFields = EventSettingsFields()  # docs/reach.md
    share: ShareFields = ShareFields()  # docs/reach.md
    fediverse_bridge: BridgeFields | None = None  # docs/reach.md; none by default


def problems_from(exc: ValidationError, path: str, lines: dict[str, int], model: type[BaseModel]) -> list[Problem]:
    """Each pydantic error as a Problem with the field's line and a fix where one is known."""
    out = []
    for err in exc.errors():
        loc = [str(x) for x in err["loc"]]
        name = ".".join(loc) or "(file)"
        line = lines.get(loc[0], 1) if loc else 1
        found = err.get("input")
        if err["type"] == "extra_forbidden":
            known = list(_model_at(model, loc[:-1]).model_fields)
            near = difflib.get_close_matches(loc[-1], known, n=1)
            fix = f"did you mean '{near[0]}'?" if near else f"known fields: {', '.join(known)}"
            out.append(Problem(path, line, name, "unknown field", expected="a documented field",
                               found=repr(loc[-1]), fix=fix, code="unknown-field"))
        elif err["type"] == "missing":
            out.append(Problem(path, line if loc[0] in lines else 1, name, "required field is missing",
                               fix=f"add a line '{loc[-1]}: ...'", code="missing"))
        else:
            msg = err["msg"].removeprefix("Value error, ")
            out.append(Problem(path, line, name, msg, found=_short(found), code=err["type"]))
    return out


def _model_at(model: type[BaseModel], path: list[str]) -> type[BaseModel]:
    """The schema of a nested mapping (`promises.stale` -> the `promises` block's model)."""
    for part in path:
        field = model.model_fields.get(part)
        annotation = getattr(field, "annotation", None)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        else:
            break
    return model


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def emails_in(data: Any, path: str, lines: dict[str, int], top: str = "") -> list[Problem]:
    """Every value that looks like an e-mail address: the repository is public."""
    found: list[Problem] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found += emails_in(value, path, lines, top or str(key))
    elif isinstance(data, list):
        for value in data:
            found += emails_in(value, path, lines, top)
    elif isinstance(data, str) and EMAIL_RE.search(data) and not (top == "fediverse" and FEDIVERSE_RE.match(data)):
        found.append(Problem(path, lines.get(top, 1), top, "looks like an e-mail address; the repository is public",
                             fix="remove it; contact details stay private with the editors", code="email"))
    return found


def validate(model: type[BaseModel], data: dict[str, Any], path: str,
             lines: dict[str, int]) -> tuple[Any, list[Problem]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, problems_from(exc, path, lines, model)


def warn(path: str, line: int, field: str, message: str, fix: str = "", code: str = "") -> Problem:
    return Problem(path, line, field, message, Severity.WARNING, fix=fix, code=code)


class NewsletterFields(Strict):
    """Front matter of a newsletter edition in `content/newsletter/` (docs/reach.md)."""

    title: Annotated[Text, Field(max_length=200)] = ""
    made: When | None = None
    stories: list[Annotated[str, Field(pattern=r"^[\w.-]+(/[\w.-]+)*\.md$")]] = []


class PageFields(Strict):
    """Front matter of a stand-alone page in `site_config/pages/`."""

    title: Annotated[Text, Field(min_length=1, max_length=200)]
    lang: Lang | None = None
    summary: Annotated[Text, Field(max_length=600)] = ""
    order: int = 0
