"""Submissions from the "send a text" form: the data, the rules it must meet, and the story
(and, for a first-time author, the contributor file) it becomes.

Pure: no I/O and no clock; the moment a submission was received is always passed in.
The YAML text of the files is written by `masthead.sources.frontmatter`, which owns YAML.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from datetime import date, datetime
from typing import Any, Mapping

from .slugs import HANDLE_RE, SLUG_RE, make_slug
from .stories import Story
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
TRAILER = "Submission-Id"
LABEL = "submission"

EMAIL_RE = re.compile(r"^[^@\s<>\"]{1,64}@[^@\s<>\"]+\.[^@\s<>\"]{2,}$")
# Arrows that reorder text on screen ("trojan source"), invisible to a reviewer.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\ufeff")
TAG_RE = re.compile(r"</?[A-Za-z!?][^<>]*>")  # as browsers read tags: no blank after the <
CODE_RE = re.compile(r"(^(```|~~~)[^\n]*\n.*?^\2[ \t]*$|`[^`\n]+`)", re.S | re.M)
AUTOLINK_RE = re.compile(r"<(https?://[^\s<>]+)>")
BAD_URL_RE = re.compile(r"(\]\(\s*<?|^\s*\[[^\]\n]+\]:\s*<?)\s*(?:javascript|vbscript|data):", re.I | re.M)
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

    def public(self) -> dict[str, str]:
        """Every field but the private contact address."""
        return {"name": self.name, "title": self.title, "section": self.section, "lang": self.lang,
                "text": self.text, "handle": self.handle, "summary": self.summary, "promise": self.promise}


# --- cleaning -------------------------------------------------------------------------------

def _keep(ch: str) -> bool:
    if ch in "\n\t":
        return True
    if ch in BIDI_CONTROLS:
        return False
    return unicodedata.category(ch) not in ("Cc", "Cs")


def clean_text(value: str) -> str:
    """NFC, Unix line ends, no control characters, no trailing blanks at line ends."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    value = "".join(ch for ch in unicodedata.normalize("NFC", value) if _keep(ch))
    return "\n".join(line.rstrip() for line in value.split("\n")).strip("\n")


def clean_line(value: str) -> str:
    """One line of plain text: cleaned, tags removed, runs of blanks made one space."""
    return " ".join(TAG_RE.sub("", clean_text(value)).split())


def escape_html(markdown: str) -> str:
    """Raw HTML in Markdown shown as text (`<` becomes `&lt;`), outside code and autolinks,
    and `javascript:`-style link targets defused, so a text cannot put script into the site."""
    parts = CODE_RE.split(BAD_URL_RE.sub(lambda m: m.group(1) + "#blocked-", markdown))
    out: list[str] = []
    # re.split with two groups yields: text, whole code match, fence marker, text, ...
    for i in range(0, len(parts), 3):
        text = AUTOLINK_RE.sub(lambda m: "\0" + m.group(1) + "\1", parts[i]).replace("](<", "](\0")
        out.append(text.replace("<", "&lt;").replace("\0", "<").replace("\1", ">"))
        if i + 1 < len(parts):
            out.append(parts[i + 1])
    return "".join(out)


# --- validation -----------------------------------------------------------------------------

def _error(name: str, code: str, **values: Any) -> FieldError:
    return FieldError(name, code, MESSAGES[code].format(label=LABELS.get(name, name), **values), values)


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key, "")
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _length(errors: list[FieldError], field: str, value: str, limit: int, required: bool) -> None:
    if required and not value:
        errors.append(_error(field, "required"))
    elif len(value) > limit:
        errors.append(_error(field, "too_long", found=len(value), limit=limit))


def _choice(errors: list[FieldError], field: str, value: str, choices: tuple[str, ...]) -> None:
    if not value:
        errors.append(_error(field, "required"))
    elif value not in choices:
        errors.append(_error(field, "choice", found=value[:40], choices=", ".join(choices)))


def is_checked(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in TRUE_WORDS)


def validate_submission(raw: Mapping[str, Any], rules: FormRules) -> tuple[Submission | None, list[FieldError]]:
    """Clean every field and check every rule; all problems are returned at once."""
    errors: list[FieldError] = []
    name, title = clean_line(_text(raw, "name")), clean_line(_text(raw, "title"))
    summary, email = clean_line(_text(raw, "summary")), clean_line(_text(raw, "email"))
    handle, promise = clean_line(_text(raw, "handle")).lower(), clean_line(_text(raw, "promise")).lower()
    section = clean_line(_text(raw, "section"))
    lang = clean_line(_text(raw, "lang")) or rules.default_lang
    text = clean_text(_text(raw, "text"))
    _length(errors, "name", name, NAME_MAX, True)
    _length(errors, "title", title, TITLE_MAX, True)
    _length(errors, "summary", summary, SUMMARY_MAX, False)
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
    if promise and (len(promise) > PROMISE_MAX or not SLUG_RE.match(promise)):
        errors.append(_error("promise", "promise", found=promise[:40]))
    if not is_checked(raw.get("consent")):
        errors.append(_error("consent", "consent", licence=rules.licence))
    if errors:
        return None, errors
    return Submission(name=name, title=title, section=section, lang=lang, text=escape_html(text),
                      handle=handle, email=email, summary=summary, promise=promise), []


# --- what a submission becomes ---------------------------------------------------------------

def short_id(submission_id: str) -> str:
    return submission_id[:8]


def title_slug(title: str) -> str:
    return make_slug(title, max_length=SLUG_MAX)


def branch_name(title: str, submission_id: str, day: date) -> str:
    """`submissions/<date>-<slug>-<short id>`: unique, readable, and made only from safe words."""
    return f"submissions/{day.isoformat()}-{title_slug(title)}-{short_id(submission_id)}"


def story_candidates(sub: Submission, submission_id: str, site_language: str) -> tuple[str, str]:
    """The story's path, and the one used when the first is already taken on the base branch."""
    suffix = "" if sub.lang == site_language else f".{sub.lang}"
    slug = title_slug(sub.title)
    folder = f"content/{sub.section}"
    return f"{folder}/{slug}{suffix}.md", f"{folder}/{slug}-{short_id(submission_id)}{suffix}.md"


def handle_candidates(sub: Submission, submission_id: str) -> tuple[str, str]:
    """The author's handle, and the one used when a different person already has it."""
    if sub.handle:
        return sub.handle, sub.handle
    base = make_slug(sub.name, max_length=30)
    base = base if HANDLE_RE.match(base) else "author"
    return base, f"{base}-{short_id(submission_id)[:6]}"


def contributor_path(handle: str) -> str:
    return f"contributors/{handle}.yml"


def candidate_paths(sub: Submission, submission_id: str, site_language: str) -> list[str]:
    """Every path whose presence on the base branch decides a plan: ask the backend once."""
    stories = story_candidates(sub, submission_id, site_language)
    handles = handle_candidates(sub, submission_id)
    return list(dict.fromkeys([*stories, *(contributor_path(h) for h in handles)]))


def derive_summary(text: str) -> str:
    """The first paragraph as plain text, cut at a word near SUMMARY_AUTO characters."""
    para = next((p for p in text.split("\n\n") if p.strip() and not p.lstrip().startswith(("```", "~~~"))), "")
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
    """(handle, is new): a registered handle is used as given; a derived one never borrows
    someone else's file."""
    first, second = handle_candidates(sub, submission_id)
    if sub.handle:
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
    plan = Plan(submission_id, branch, path, story_path(story, site_language), author, sub.name, fields,
                sub.text.rstrip("\n") + "\n", person, "", "", "", (LABEL, sub.section))
    return _with_review(plan, sub, summary, has_contact)


def _with_review(plan: Plan, sub: Submission, summary: str, has_contact: bool) -> Plan:
    short = short_id(plan.submission_id)
    message = (f"Add submission: {sub.title}\n\nSent through the site's form by {sub.name}.\n\n"
               f"{TRAILER}: {plan.submission_id}\n")
    who = f"{sub.name} (`{plan.author}`" + (", first-time author" if plan.contributor else "") + ")"
    lines = [f"A text sent through the site's form (receipt `{short}`).", "",
             f"- **Title:** {sub.title}", f"- **Author:** {who}",
             f"- **Section:** {sub.section} · **Language:** {sub.lang}", f"- **File:** `{plan.story_path}`"]
    if sub.promise:
        lines.append(f"- **Promise:** `{sub.promise}`")
    lines += ["", "> " + summary.replace("\n", " "), "", "### Editor's checklist", "",
              "- [ ] The text reads well; title, summary, section and language fit",
              "- [ ] Nothing in it harms or exposes anyone; facts and quotes checked",
              "- [ ] A registered handle really is this author (ask them if unsure)",
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


def trailer_id(message: str) -> str | None:
    """The submission id a commit message carries, if any: the mark of an earlier delivery."""
    match = re.search(rf"^{TRAILER}: ([0-9a-f]+)$", message, re.M)
    return match.group(1) if match else None
