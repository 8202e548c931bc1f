"""Submissions from the "send a text" form: the data, the rules it must meet, and the story
(and, for a first-time author, the contributor file) it becomes.

Pure: no I/O and no clock; the moment a submission was received is always passed in.
The YAML text of the files is written by `masthead.sources.frontmatter`, which owns YAML.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from datetime import date, datetime
from typing import Any, Mapping

from .contributors import Contributor
from .problems import Problem, Severity
from .promises import Promise, Topic
from .slugs import HANDLE_RE, SLUG_RE, make_slug
from .stories import Story
from .submission_text import BIDI_CONTROLS, TAG_RE, clean_line, clean_text, escape_html, has_word  # noqa: F401
from .urls import story_path

TITLE_MAX = 200
NAME_MAX = 120
SUMMARY_MAX = 600
SUMMARY_AUTO = 280  # a summary made from the text's first paragraph is cut here
TEXT_MAX_BYTES = 200_000
EMAIL_MAX = 254
PROMISE_MAX = 80
SLUG_MAX = 60
FIELDS = ("name", "handle", "email", "title", "section", "lang", "text", "summary", "promise", "consent")
COMMIT_EMAIL = "form@submissions.invalid"  # git needs an address; never the author's own
TRAILER = "Submission-Ref"  # a public reference made from the receipt id; never the id itself
LEGACY_TRAILER = "Submission-Id"  # what deliveries before the public reference carried
NAME_TRAILER, IDENTITY_TRAILER = "Submitted-Name", "Identity"
PROOF_KEY = "key"  # the handle was proven with the contributor's submission key
SHORT_FIELDS, SHORT_CUT = ("email", "handle", "promise", "section", "lang"), 1000
TOPIC_PREFIX = "topic:"  # the picker's value for an open topic
RAW_FACTOR = 8  # a one-line field longer than this many times its limit is refused before cleaning
LABEL = "submission"

EMAIL_RE = re.compile(r"^[^@\s<>\"]{1,64}@[^@\s<>\"]+\.[^@\s<>\"]{2,}$")
MARKS_RE = re.compile(r"[#>*_`~|\[\]]|!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)")
TRUE_WORDS = frozenset({"on", "yes", "true", "1"})

MESSAGES = {
    "required": "{label} is required: please fill it in",
    "too_long": "{label} is {found} characters long; the limit is {limit}: please shorten it",
    "too_big": "the text is {found} KB; the limit is {limit} KB: shorten it, or send it in parts",
    "handle": "'{found}' is not a handle: use 2-39 lower-case letters, digits, '-' or '_', "
              "or leave it empty if you are not registered yet",
    "email": "'{found}' does not look like an e-mail address: check it, or leave it empty",
    "choice": "'{found}' is not one of the choices ({choices}): pick one from the list",
    "promise": "'{found}' is not a promise id: use lower-case letters, digits and hyphens, or leave it empty",
    "consent": "please agree to publish under the magazine's licence ({licence}), or we cannot publish the text",
    "letters": "{label} needs at least one letter or digit: please write it in words",
}
LABELS = {"name": "your name", "title": "the title", "text": "the text", "summary": "the summary",
          "section": "the section", "lang": "the language", "email": "the e-mail address"}


@dataclass(frozen=True)
class FieldError:
    """One problem with one form field: the code picks a translated message, `message` is English."""

    field: str
    code: str
    message: str
    params: dict[str, Any] = dc_field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class FormRules:
    """What the magazine allows: its sections, languages and licence."""

    sections: tuple[str, ...]
    languages: tuple[str, ...]
    default_lang: str
    licence: str


@dataclass(frozen=True)
class Submission:
    """A valid, cleaned submission. `email` is private: it never enters a file, commit or PR."""

    name: str
    title: str
    section: str
    lang: str
    text: str
    handle: str = ""
    email: str = ""
    summary: str = ""
    promise: str = ""
    proof: str = ""  # PROOF_KEY when the handle was proven; set by the service, never by the form
    topic: str = ""  # an open topic picked on the form (no promise yet): for the editors

    def public(self) -> dict[str, str]:
        """Every field but the private contact address."""
        return {"name": self.name, "title": self.title, "section": self.section, "lang": self.lang,
                "text": self.text, "handle": self.handle, "summary": self.summary, "promise": self.promise,
                "proof": self.proof, "topic": self.topic}


# --- validation -----------------------------------------------------------------------------

def _error(name: str, code: str, **values: Any) -> FieldError:
    return FieldError(name, code, MESSAGES[code].format(label=LABELS.get(name, name), **values), values)


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key, "")
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _line(raw: Mapping[str, Any], key: str, limit: int) -> tuple[str, int]:
    """The cleaned one-line field, or ("", raw length) when it is far too long to be worth cleaning."""
    value = _text(raw, key)
    if len(value) > RAW_FACTOR * limit:
        return "", len(value)
    return clean_line(value), 0


def _length(errors: list[FieldError], field: str, value: str, limit: int, required: bool, raw: int = 0) -> None:
    if raw:
        errors.append(_error(field, "too_long", found=raw, limit=limit))
    elif required and not value:
        errors.append(_error(field, "required"))
    elif len(value) > limit:
        errors.append(_error(field, "too_long", found=len(value), limit=limit))
    elif value and not has_word(value):
        errors.append(_error(field, "letters"))


def _choice(errors: list[FieldError], field: str, value: str, choices: tuple[str, ...]) -> None:
    if not value:
        errors.append(_error(field, "required"))
    elif value not in choices:
        errors.append(_error(field, "choice", found=value[:40], choices=", ".join(choices)))


def is_checked(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in TRUE_WORDS)


def validate_submission(raw: Mapping[str, Any], rules: FormRules,
                        full: bool = True) -> tuple[Submission | None, list[FieldError]]:
    """Clean every field and check every rule; all problems are returned at once.

    With `full=False` the text is not cleaned, only measured, and no submission is made: what
    a form with a bad token gets, at a cost that does not grow with the text."""
    errors: list[FieldError] = []
    (name, name_raw), (title, title_raw) = _line(raw, "name", NAME_MAX), _line(raw, "title", TITLE_MAX)
    summary, summary_raw = _line(raw, "summary", SUMMARY_MAX)
    # Short fields are cut before cleaning: whatever is cut, the rule they break stays broken.
    email, handle, promise, section, lang = (clean_line(_text(raw, k)[:SHORT_CUT]) for k in SHORT_FIELDS)
    handle, promise, lang = handle.lower(), promise.lower(), lang or rules.default_lang
    topic = promise.removeprefix(TOPIC_PREFIX) if promise.startswith(TOPIC_PREFIX) else ""
    promise = "" if topic else promise
    raw_text = _text(raw, "text")
    # At twice the limit in characters, the text is too big however it is cleaned: say so unread.
    text = clean_text(raw_text) if full and len(raw_text) <= 2 * TEXT_MAX_BYTES else raw_text.strip()
    _length(errors, "name", name, NAME_MAX, True, name_raw)
    _length(errors, "title", title, TITLE_MAX, True, title_raw)
    _length(errors, "summary", summary, SUMMARY_MAX, False, summary_raw)
    _choice(errors, "section", section, rules.sections)
    _choice(errors, "lang", lang, rules.languages)
    size = len(text.encode("utf-8"))
    if not text:
        errors.append(_error("text", "required"))
    elif size > TEXT_MAX_BYTES:
        errors.append(_error("text", "too_big", found=-(-size // 1000), limit=TEXT_MAX_BYTES // 1000))
    if handle and not HANDLE_RE.match(handle):
        errors.append(_error("handle", "handle", found=handle[:40]))
    if email and (len(email) > EMAIL_MAX or not EMAIL_RE.match(email)):
        errors.append(_error("email", "email", found=email[:60]))
    for value in (promise, topic):
        if value and (len(value) > PROMISE_MAX or not SLUG_RE.match(value)):
            errors.append(_error("promise", "promise", found=value[:40]))
    if not is_checked(raw.get("consent")):
        errors.append(_error("consent", "consent", licence=rules.licence))
    if errors or not full:
        return None, errors
    return Submission(name=name, title=title, section=section, lang=lang, text=escape_html(text),
                      handle=handle, email=email, summary=summary, promise=promise, topic=topic), []


# --- names: the receipt id stays private, a public reference goes into Git ----------------------

def public_ref(submission_id: str) -> str:
    """The submission's public reference: a one-way digest of the receipt id. Branches, files,
    commits and pull requests carry this, so reading the repository never opens a receipt."""
    return hashlib.sha256(f"masthead-submission:{submission_id}".encode("ascii")).hexdigest()[:16]


def short_id(submission_id: str) -> str:
    """The short public reference (8 characters) used in names and in the editors' commands."""
    return public_ref(submission_id)[:8]


def _slug_or(text: str, fallback: str, max_length: int) -> str:
    """A slug of `text`, or `fallback` when nothing of it survives (a title of only `...`)."""
    slug = make_slug(text, max_length=max_length)
    if slug == "untitled" and make_slug(text + " x", max_length=len(text) + 10) == "x":
        return fallback
    return slug


def title_slug(title: str, submission_id: str = "") -> str:
    return _slug_or(title, f"text-{short_id(submission_id)}" if submission_id else "untitled", SLUG_MAX)


def branch_name(title: str, submission_id: str, day: date) -> str:
    """`submissions/<date>-<slug>-<short ref>`: unique, readable, and made only from safe words."""
    return f"submissions/{day.isoformat()}-{title_slug(title, submission_id)}-{short_id(submission_id)}"


def story_candidates(sub: Submission, submission_id: str, site_language: str) -> tuple[str, str]:
    """The story's path, and the one used when the first is already taken on the base branch."""
    suffix = "" if sub.lang == site_language else f".{sub.lang}"
    slug = title_slug(sub.title, submission_id)
    folder = f"content/{sub.section}"
    return f"{folder}/{slug}{suffix}.md", f"{folder}/{slug}-{short_id(submission_id)}{suffix}.md"


def handle_candidates(sub: Submission, submission_id: str) -> tuple[str, str]:
    """The author's handle, and the one used when a different person already has it.

    Only a handle proven with its submission key is taken as given; a claimed one without
    proof is a wish for a new handle, and gets the suffix when someone already has it."""
    suffix = short_id(submission_id)[:6]
    if sub.handle and sub.proof == PROOF_KEY:
        return sub.handle, sub.handle
    base = sub.handle[:30] if sub.handle else _slug_or(sub.name, f"author-{suffix}", 30)
    base = base if HANDLE_RE.match(base) else f"author-{suffix}"
    return base, f"{base}-{suffix}"


def contributor_path(handle: str) -> str:
    return f"contributors/{handle}.yml"


def candidate_paths(sub: Submission, submission_id: str, site_language: str) -> list[str]:
    """Every path whose presence on the base branch decides a plan: ask the backend once."""
    stories = story_candidates(sub, submission_id, site_language)
    handles = handle_candidates(sub, submission_id)
    return list(dict.fromkeys([*stories, *(contributor_path(h) for h in handles)]))


def commit_author(name: str, submission_id: str) -> str:
    """A name Git accepts as an author: no `<`, `>` or line breaks, and not only punctuation."""
    cleaned = " ".join(name.replace("<", " ").replace(">", " ").split()).strip(".,:;\"'\\ ")
    return cleaned if has_word(cleaned) else f"Form author {short_id(submission_id)}"


def derive_summary(text: str) -> str:
    """The first paragraph as plain text, cut at a word near SUMMARY_AUTO characters."""
    para = next((p for p in text.split("\n\n") if p.strip() and not p.lstrip().startswith(("```", "~~~"))), "")
    para = para[:SUMMARY_AUTO * 4]  # enough for the summary; the patterns below then stay short
    plain = " ".join(MARKS_RE.sub(" ", TAG_RE.sub("", para.replace("&lt;", "<"))).split())
    if len(plain) <= SUMMARY_AUTO:
        return plain
    return plain[:SUMMARY_AUTO].rsplit(" ", 1)[0].rstrip(",;:") + "…"


@dataclass(frozen=True)
class Plan:
    """Everything one delivery writes: the branch, the files (as data) and the review text."""

    submission_id: str
    branch: str
    story_path: str
    site_path: str
    author: str
    author_name: str
    story_fields: dict[str, Any]
    story_body: str
    contributor: dict[str, Any] | None
    message: str
    review_title: str
    review_body: str
    labels: tuple[str, ...]

    @property
    def contributor_path(self) -> str | None:
        return contributor_path(self.author) if self.contributor is not None else None


def _author(sub: Submission, submission_id: str, existing: set[str]) -> tuple[str, bool]:
    """(handle, is new): a proven handle is used as given; any other never borrows someone
    else's file."""
    first, second = handle_candidates(sub, submission_id)
    if sub.handle and sub.proof == PROOF_KEY:
        return first, contributor_path(first) not in existing
    return (first, True) if contributor_path(first) not in existing else (second, True)


def plan_delivery(sub: Submission, submission_id: str, received: datetime, site_language: str,
                  existing: set[str], has_contact: bool) -> Plan:
    """The story, the contributor file (first-time authors) and the review request.

    `received` is the moment in the site's time zone; `existing` holds those of
    `candidate_paths` that are already on the base branch.
    """
    first, second = story_candidates(sub, submission_id, site_language)
    path = first if first not in existing else second
    author, new = _author(sub, submission_id, existing)
    summary = sub.summary or derive_summary(sub.text)
    fields: dict[str, Any] = {"title": sub.title, "authors": [author],
                              "date": received.strftime("%Y-%m-%d %H:%M"), "section": sub.section,
                              "lang": sub.lang, "summary": summary}
    if sub.promise:
        fields["promise"] = sub.promise
    fields["submitted_via"] = "form"
    person = {"name": sub.name, "roles": ["author"], "joined": received.date().isoformat(),
              "languages": [sub.lang]} if new else None
    slug = path.rsplit("/", 1)[1].split(".", 1)[0]
    story = Story(source=path, slug=slug, lang=sub.lang, title=sub.title, authors=(author,), date=received,
                  section=sub.section, digest="")
    branch = branch_name(sub.title, submission_id, received.date())
    plan = Plan(submission_id, branch, path, story_path(story, site_language), author,
                commit_author(sub.name, submission_id), fields,
                sub.text.rstrip("\n") + "\n", person, "", "", "", (LABEL, sub.section))
    return _with_review(plan, sub, summary, has_contact)


def identity_note(sub: Submission, author: str) -> str:
    """How the credited handle was arrived at, in words an editor can act on."""
    if sub.handle and sub.proof == PROOF_KEY:
        return f"proven: sent with {author}'s submission key"
    if sub.handle and sub.handle != author:
        return (f"claimed '{sub.handle}' without a submission key: credited to the new handle '{author}'; "
                f"if it really is them, change authors to [{sub.handle}] and delete {contributor_path(author)}")
    return "new contributor" + (f" (asked for '{sub.handle}' without a key)" if sub.handle else "")


def _with_review(plan: Plan, sub: Submission, summary: str, has_contact: bool) -> Plan:
    short = short_id(plan.submission_id)
    identity = identity_note(sub, plan.author)
    message = (f"Add submission: {sub.title}\n\nSent through the site's form by {sub.name}.\n\n"
               f"{TRAILER}: {public_ref(plan.submission_id)}\n{NAME_TRAILER}: {sub.name}\n"
               f"{IDENTITY_TRAILER}: {identity}\n")
    who = f"{sub.name} (`{plan.author}`" + (", first-time author" if plan.contributor else "") + ")"
    lines = [f"A text sent through the site's form (reference `{short}`).", "",
             f"- **Title:** {sub.title}", f"- **Author:** {who}", f"- **Name as typed:** {sub.name}",
             f"- **Identity:** {identity}",
             f"- **Section:** {sub.section} · **Language:** {sub.lang}", f"- **File:** `{plan.story_path}`"]
    if sub.promise:
        lines.append(f"- **Promise:** `{sub.promise}`")
    if sub.topic:
        lines.append(f"- **Open topic:** `{sub.topic}` (no promise was made; add one, or leave it)")
    lines += ["", "> " + summary.replace("\n", " "), "", "### Editor's checklist", "",
              "- [ ] The text reads well; title, summary, section and language fit",
              "- [ ] Nothing in it harms or exposes anyone; facts and quotes checked",
              "- [ ] The name as typed and the credited contributor are the same person",
              "- [ ] `date` is set to the moment it should be published",
              "- [ ] Images, if any, sit next to the story with alt text",
              "- [ ] `masthead check` passes"]
    if plan.contributor is not None:
        lines.append(f"- [ ] `{plan.contributor_path}` is right (name, languages)")
    if has_contact:
        lines.append(f"- The author left a private contact address: `masthead submissions contact {short}` "
                     "(never paste it here)")
    return replace(plan, message=message, review_title=f"Submission: {sub.title}",
                   review_body="\n".join(lines) + "\n")


def trailer_ref(message: str) -> str | None:
    """The public reference a commit message carries, if any: the mark of an earlier delivery
    (from a legacy `Submission-Id:` trailer, the reference is worked out)."""
    match = re.search(rf"^{TRAILER}: ([0-9a-f]+)$", message, re.M)
    if match:
        return match.group(1)
    legacy = re.search(rf"^{LEGACY_TRAILER}: ([0-9a-f]{{32}})$", message, re.M)
    return public_ref(legacy.group(1)) if legacy else None


@dataclass(frozen=True)
class FormIdentity:
    """What a form delivery's commit says about its author, for `masthead review` and `accept`."""

    typed_name: str
    identity: str


def form_identity(message: str) -> FormIdentity | None:
    """The typed name and identity note of a commit made by the form service, if it is one."""
    name = re.search(rf"^{NAME_TRAILER}: (.+)$", message, re.M)
    if name is None:
        return None
    identity = re.search(rf"^{IDENTITY_TRAILER}: (.+)$", message, re.M)
    return FormIdentity(name.group(1).strip(), identity.group(1).strip() if identity else "")


def identity_lines(identity: FormIdentity | None, credited: list[tuple[str, str]]) -> list[str]:
    """For `masthead review` and `accept`: the name typed on the form beside each credited
    registry entry (handle, registered name), and how the handle was arrived at."""
    if identity is None:
        return []
    entries = ", ".join(f"{h} (registered as \"{n}\")" for h, n in credited) or "nobody"
    lines = [f"  sent through the form as \"{identity.typed_name}\"; credited to {entries}"]
    if any(name_key(n) != name_key(identity.typed_name) for _, n in credited):
        lines.append("    the typed name differs from the registry entry: make sure they are the same person")
    if identity.identity:
        lines.append(f"    identity: {identity.identity}")
    return lines


# --- display names that look alike -------------------------------------------------------------

def name_key(name: str) -> str:
    """A display name as a reader would confuse it: NFKC, case folded, blanks made one."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def colliding_names(people: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(handle, earlier handle, name) for every contributor whose display name looks like an
    earlier one's (handles in sorted order)."""
    first: dict[str, str] = {}
    out = []
    for handle in sorted(people):
        key = name_key(people[handle])
        if not key:
            continue
        if key in first:
            out.append((handle, first[key], people[handle]))
        else:
            first[key] = handle
    return out


# --- the promise picker of the form -------------------------------------------------------------

@dataclass(frozen=True)
class PromiseChoices:
    """What the form offers for its promise field: open promises (with who made them, so the
    page can show a person only their own) and open topics nobody has promised yet."""

    promises: tuple[dict[str, Any], ...] = ()
    topics: tuple[dict[str, Any], ...] = ()

    def known(self, value: str) -> bool:
        return any(p["id"] == value for p in self.promises) or any(topic["value"] == value for topic in self.topics)


def promise_choices(topics: Mapping[str, Topic], promises: Mapping[str, Promise], lang: str = "",
                    site_lang: str = "") -> PromiseChoices:
    """Open promises and free topics, by title (a person never has to know an id), in `lang`
    where a topic's title is translated."""
    def title(t: Topic) -> str:
        return t.title_in(lang, site_lang)[0]

    open_ones = sorted((p for p in promises.values() if p.status == "open"), key=lambda p: (p.due, p.id))
    taken = {p.topic for p in open_ones}
    shown = tuple({"id": p.id, "title": title(topics[p.topic]) if p.topic in topics else p.topic,
                   "by": list(p.contributors)} for p in open_ones)
    free = tuple({"value": TOPIC_PREFIX + t.id, "title": title(t)}
                 for t in sorted(topics.values(), key=lambda t: title(t).casefold()) if t.id not in taken)
    return PromiseChoices(shown, free)


def name_collisions(people: Mapping[str, Contributor]) -> list[Problem]:
    """`check`'s warning for display names that a reader cannot tell apart (NFKC, case folded):
    a form author who typed a registered contributor's name gets a handle of their own, and
    this is where an editor hears of it."""
    out = []
    for handle, earlier, name in colliding_names({h: c.name for h, c in people.items()}):
        out.append(Problem(people[handle].source, 1, "name", f"the display name '{name}' looks the same as that "
                           f"of '{earlier}' ({people[earlier].source})", Severity.WARNING,
                           fix=f"if they are one person, use the handle '{earlier}' in authors: and delete "
                           f"{people[handle].source}; if not, make the names differ (a middle initial)",
                           code="name-collision"))
    return out
