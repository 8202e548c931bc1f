"""The pure rules of a submission: cleaning, naming, and the files it becomes."""

from __future__ import annotations

import ast
from dataclasses import replace
import unicodedata
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import masthead.domain.submissions as domain
from masthead.domain.submissions import (PROOF_KEY, FormRules, branch_name, clean_line, clean_text, derive_summary,
                                         escape_html, plan_delivery, public_ref, short_id, trailer_ref,
                                         validate_submission)
from masthead.sources.frontmatter import dump_front_matter, parse_story
from masthead.sources.schemas import StoryFields, validate

RULES = FormRules(("city", "letters"), ("en", "ru", "ko"), "en", "CC BY-SA 4.0")
SID = "0123456789abcdef0123456789abcdef"
REF = short_id(SID)  # the public reference in names: never a part of the receipt id
WHEN = datetime(2026, 5, 14, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))


def submission(**changes: str):  # type: ignore[no-untyped-def]
    fields = {"name": "Ким Ю-на", "title": "Rain on the market", "section": "city", "lang": "en",
              "text": "It rained.", "consent": "on", "email": "kim@example.org"}
    fields.update(changes)
    sub, errors = validate_submission(fields, RULES)
    assert errors == [] and sub is not None
    return sub


def test_the_domain_module_imports_no_adapter() -> None:
    tree = ast.parse(Path(domain.__file__).read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    forbidden = {"yaml", "git", "github3", "starlette", "mkdocs", "feedgen", "sqlite3", "os", "time", "httpx"}
    assert not {n.split(".")[0] for n in names} & forbidden


def test_cleaning() -> None:
    assert clean_text("a\r\nb\rc\u2028d") == "a\nb\nc\nd"
    assert clean_text("e\u0301\x00\x07\u202e\tok  \n") == "é\tok"
    assert unicodedata.is_normalized("NFC", clean_text(unicodedata.normalize("NFD", "Ёлка, 한국어")))
    assert clean_line("  <b>Bold</b>\n\n title <script>x</script> ") == "Bold title x"
    assert clean_line("a < b and c > d") == "a < b and c > d"


@pytest.mark.parametrize("raw, cooked", [
    ("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)>"),
    ("see <https://example.org/a?b=1>", "see <https://example.org/a?b=1>"),
    ("`<b>` stays", "`<b>` stays"),
    ("~~~\n<div>\n~~~", "~~~\n<div>\n~~~"),
    ("[x](javascript:alert(1))", "[x](#blocked-alert(1))"),
    ("[x]( JavaScript:alert(1))", "[x]( #blocked-alert(1))"),
    ("[x](<./a b.md>)", "[x](<./a b.md>)"),
    ("[x](<a b.md>)", "[x](&lt;a b.md>)"),  # could be read as a tag if the link does not hold
    ("[x](<data:text/html,hi>)", "[x](<#blocked-text/html,hi>)"),
    ("[ref]: vbscript:msgbox", "[ref]: #blocked-msgbox"),
    ("3 < 4 and 5 > 2", "3 &lt; 4 and 5 > 2"),
])
def test_raw_html_is_shown_as_text(raw: str, cooked: str) -> None:
    assert escape_html(raw) == cooked


def test_branch_names_are_readable_and_safe() -> None:
    day = date(2026, 5, 14)
    assert branch_name("Дождь на рынке!", SID, day) == f"submissions/2026-05-14-dozhd-na-rynke-{REF}"
    assert branch_name("../../..", SID, date(2026, 5, 14)) == f"submissions/2026-05-14-text-{REF}-{REF}"
    assert branch_name("비 오는 시장", SID, date(2026, 5, 14)).startswith("submissions/2026-05-14-")


def test_the_plan_for_a_first_time_author() -> None:
    plan = plan_delivery(submission(), SID, WHEN, "en", set(), has_contact=True)
    assert plan.branch == f"submissions/2026-05-14-rain-on-the-market-{REF}"
    assert plan.story_path == "content/city/rain-on-the-market.md" and plan.site_path == "city/rain-on-the-market/"
    assert plan.author == "kim-iu-na" and plan.contributor_path == "contributors/kim-iu-na.yml"
    assert plan.story_fields == {"title": "Rain on the market", "authors": ["kim-iu-na"], "date": "2026-05-14 09:30",
                                 "section": "city", "lang": "en", "summary": "It rained.", "submitted_via": "form"}
    assert plan.contributor == {"name": "Ким Ю-на", "roles": ["author"], "joined": "2026-05-14", "languages": ["en"]}
    assert plan.labels == ("submission", "city")
    assert trailer_ref(plan.message) == public_ref(SID) and SID not in plan.message + plan.review_body
    everything = repr(plan)
    assert "kim@example.org" not in everything


def test_the_plan_for_a_registered_author_in_another_language() -> None:
    sub = replace(submission(handle="anna", lang="ru", promise="rent-series"), proof=PROOF_KEY)
    plan = plan_delivery(sub, SID, WHEN, "en",
                         {"contributors/anna.yml", "content/city/rain-on-the-market.ru.md"}, has_contact=False)
    assert plan.author == "anna" and plan.contributor is None
    assert plan.story_path == f"content/city/rain-on-the-market-{REF}.ru.md"
    assert plan.site_path == f"ru/city/rain-on-the-market-{REF}/"
    assert plan.story_fields["promise"] == "rent-series"
    assert "contact" not in plan.review_body


def test_a_name_that_matches_someone_else_gets_its_own_handle() -> None:
    plan = plan_delivery(submission(name="Anna"), SID, WHEN, "en", {"contributors/anna.yml"}, has_contact=False)
    assert plan.author == f"anna-{REF[:6]}" and plan.contributor is not None


def test_summary_from_the_first_paragraph() -> None:
    assert derive_summary("# Title\n\nFirst *para* with [a link](x.md).\n\nSecond.") == "Title"
    long = " ".join(["word"] * 100)
    assert derive_summary(long).endswith("…") and len(derive_summary(long)) <= 281
    assert derive_summary("```\ncode\n```\n\nAfter code.") == "After code."


@pytest.mark.parametrize("title", ["---", "a: b", "'quoted' \"double\"", "# not a comment", "- dash", "{x: 1}",
                                   "null", "yes", "2026-01-01", "[1, 2]", "&anchor *alias", "!tag value",
                                   "---\n---", "%YAML 1.2", "> folded", "| literal", "@at", "`tick`"])
def test_no_title_breaks_the_front_matter(title: str) -> None:
    sub = submission(title=title + " end", text="---\ntitle: evil\n---\n\n--- \ntext")
    plan = plan_delivery(sub, SID, WHEN, "en", set(), has_contact=False)
    text = dump_front_matter(plan.story_fields) + "\n" + plan.story_body
    parsed = parse_story("content/city/x.md", text.encode("utf-8"))
    assert parsed.problems == []
    model, problems = validate(StoryFields, parsed.data or {}, "x.md", parsed.lines)
    assert problems == [] and model.title == sub.title
    assert parsed.body.strip() == sub.text.strip()
