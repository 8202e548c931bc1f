"""The shared pieces of the importers, case by case: front matter, dates, bylines, the
--authors file, and errors a person can act on."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from masthead.cli import main
from masthead.importers.authors import Named, load_map, split_byline
from masthead.importers.dates import as_front_matter, from_file_name, from_path, parse_date
from masthead.importers.frontmatter import split

from .conftest import run_import

PLUS1 = timezone(timedelta(hours=1))


@pytest.mark.parametrize("text, kind, fields", [
    ("---\ntitle: 'A: B'\nog:image: x.png\n---\nbody", "yaml", {"title": "A: B", "og:image": "x.png"}),
    ("---\nbase: &b {place: Lyon}\nparams:\n  <<: *b\n---\nbody", "yaml",
     {"base": {"place": "Lyon"}, "params": {"place": "Lyon"}}),
    ('+++\ntitle = "T"\ndate = 2020-12-02T09:30:00+01:00\n+++\nbody', "toml",
     {"title": "T", "date": datetime(2020, 12, 2, 9, 30, tzinfo=PLUS1)}),
    ('{\n "title": "J",\n "tags": ["a"]\n}\nbody', "json", {"title": "J", "tags": ["a"]}),
    ('---json\n{"title": "E"}\n---\nbody', "json", {"title": "E"}),
    ("\ufeff---\r\ntitle: BOM\r\n---\r\nbody", "yaml", {"title": "BOM"}),
])
def test_front_matter_forms(text: str, kind: str, fields: dict[str, object]) -> None:
    head = split("x.md", text)
    assert (head.kind, head.data, head.body.strip(), head.error) == (kind, fields, "body", "")


def test_pelican_header_keys_in_any_case_and_continued_values() -> None:
    head = split("a.markdown", "Title: Ferry\nDATE: 2019-03-07\nSummary: one\n    two\n\nThe body.\n", pelican=True)
    assert head.data == {"title": "Ferry", "date": "2019-03-07", "summary": "one two"}
    assert head.body.strip() == "The body." and head.body_line == 6 and head.lines["summary"] == 3


def test_a_file_without_a_header_is_all_body() -> None:
    head = split("a.md", "Just text: with a colon\n\nMore.\n", pelican=True)
    assert head.kind == "none" and head.data == {} and head.body.startswith("Just text")


@pytest.mark.parametrize("text, error, line", [
    ("---\ntitle: ok\ntags: [unclosed\n---\n", "broken YAML", 3),
    ("+++\ntitle = \"ok\"\ndate = \n+++\n", "broken TOML", 3),
    ("---\ntitle: x\n", "never closed", 1),
    ('{"title": ', "broken JSON", 1),
])
def test_broken_front_matter_is_reported(text: str, error: str, line: int) -> None:
    head = split("x.md", text)
    assert error in head.error and head.error_line == line


def test_aliases_that_expand_without_end_are_refused_quickly() -> None:
    lines = ["---", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    started = time.perf_counter()
    head = split("bomb.md", "\n".join(lines + ["tags: *a9", "---", "body"]))
    assert "stand for more than" in head.error and time.perf_counter() - started < 2


@pytest.mark.parametrize("value, expected", [
    ("2020-12-02", datetime(2020, 12, 2)),
    ("2020-12-2", datetime(2020, 12, 2)),
    ("2020-12-02T09:30:00Z", datetime(2020, 12, 2, 9, 30, tzinfo=timezone.utc)),
    ("2020-12-02 09:30:00 +0100", datetime(2020, 12, 2, 9, 30, tzinfo=PLUS1)),
    ("2020-12-02T09:30:00.000+01:00", datetime(2020, 12, 2, 9, 30, tzinfo=PLUS1)),
    ("2020-12-02 9:30", datetime(2020, 12, 2, 9, 30)),
    ("2020/12/02", datetime(2020, 12, 2)),
    (date(2020, 12, 2), datetime(2020, 12, 2)),
    ("2020-02-30", None), ("next Tuesday", None), (12, None),
])
def test_dates(value: object, expected: datetime | None) -> None:
    assert parse_date(value) == expected


def test_dates_in_file_names_and_paths() -> None:
    assert from_file_name("2020-12-2-hello-world") == (datetime(2020, 12, 2), "hello-world")
    assert from_file_name("2020-12-02_hello") == (datetime(2020, 12, 2), "hello")
    assert from_file_name("2020-13-02-x") == (None, "2020-13-02-x")
    assert from_file_name("hello") == (None, "hello")
    assert from_path("posts/2019/3/7/ferry/index.md") == datetime(2019, 3, 7)
    assert as_front_matter(datetime(2020, 12, 2, 9, 30, tzinfo=PLUS1)) == "2020-12-02 09:30+01:00"
    assert datetime.fromisoformat(as_front_matter(datetime(2020, 12, 2, 9, 30, 5))) == datetime(2020, 12, 2, 9, 30, 5)


@pytest.mark.parametrize("value, people, guessed", [
    ("Ana Ruiz", [Named("Ana Ruiz")], False),
    (["Ana Ruiz", "Tom Ashworth"], [Named("Ana Ruiz"), Named("Tom Ashworth")], False),
    ("Ana Ruiz, Tom Ashworth and Léa Martin", [Named("Ana Ruiz"), Named("Tom Ashworth"), Named("Léa Martin")], True),
    ("Ana Ruiz & Tom Ashworth", [Named("Ana Ruiz"), Named("Tom Ashworth")], True),
    ("[Ana Ruiz](https://ana.example.org) (University of Lyon)",
     [Named("Ana Ruiz", "https://ana.example.org", "University of Lyon")], False),
    ("[Ana Ruiz](https://a.example) (Lab X) and [Tom](https://t.example)",
     [Named("Ana Ruiz", "https://a.example", "Lab X"), Named("Tom", "https://t.example")], True),
    ("Karl Berg, Institute of Urban Studies", [Named("Karl Berg", "", "Institute of Urban Studies")], True),
    ({"name": "Ana Ruiz", "url": "https://ana.example.org"}, [Named("Ana Ruiz", "https://ana.example.org")], False),
    ("", [], False), (None, [], False),
])
def test_bylines(value: object, people: list[Named], guessed: bool) -> None:
    assert split_byline(value) == (people, guessed)


def test_the_authors_file_merges_spellings_and_maps_teams(tmp_path: Path) -> None:
    mapping = tmp_path / "authors.yml"
    mapping.write_text("people:\n  ana-ruiz:\n    name: Ana Ruiz\n    also: [A. Ruiz, ana]\n"
                       "teams:\n  The Editors: [ana-ruiz, Tom Ashworth]\ndefault: ana-ruiz\n")
    into = tmp_path / "magazine"
    assert run_import("hugo", into, "--authors", str(mapping)) == 0
    note = (into / "content/notes/quick-note.md").read_text()
    assert "- ana-ruiz" in note  # the story that named nobody: the default
    team = yaml.safe_load((into / "content/notes/team-note.md").read_text().split("---")[1])
    assert team["authors"] == ["ana-ruiz", "tom-ashworth"]  # "The Editors": its members
    assert not (into / "contributors/the-editors.yml").exists()
    report = (into / "import-report.txt").read_text()
    assert "content/en/notes/team-note.md:4: converted: team: 'The Editors' -> ana-ruiz, tom-ashworth" in report
    amap = load_map(mapping)
    assert amap.handle("a. ruiz") == "ana-ruiz" and amap.teams["the editors"] == ["ana-ruiz", "tom-ashworth"]


def test_help_shows_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = capsys.readouterr().out
    assert "masthead import ../old-blog --from hugo --into ../magazine" in out and "--authors" in out


def test_translations_with_and_without_zones_are_placed_together() -> None:
    from masthead.importers.model import Draft, OldSite
    from masthead.importers.place import place_all
    from masthead.importers.report import Report

    site = OldSite("T", "en", drafts=[
        Draft("a.fr.md", 1, "a.fr", "Le titre", datetime(2020, 1, 2, 9, tzinfo=PLUS1), "x", section="art", lang="fr",
              group="a"),
        Draft("a.md", 1, "a", "The title", datetime(2020, 1, 1), "x", section="art", group="a"),
        Draft("b.md", 1, "b", "Tags", datetime(2020, 1, 1), "x", section="tags"),
    ])
    plan = place_all(site, Report())
    paths = {p.draft.key: (p.path, p.translation_of) for p in plan.placed}
    assert paths["a"] == ("art/the-title.md", "")  # "art" is a section, not taken for a language
    assert paths["a.fr"] == ("art/the-title.fr.md", "art/the-title.md")
    assert paths["b"][0] == "tags-section/tags.md"  # /tags/ is the tag index: renamed, and reported


def test_escaped_shortcodes_are_shown_as_written() -> None:
    from masthead.importers.body import Context
    from masthead.importers.report import Report
    from masthead.importers.shortcodes import hugo, zola

    report = Report()
    assert hugo("Write `{{</* youtube ID */>}}` to embed.", Context("a.md", 1, report)) == "Write `{{< youtube ID >}}` to embed."
    assert zola("Write `{{/* youtube(id=\"x\") */}}`.", Context("a.md", 1, report)) == "Write `{{ youtube(id=\"x\") }}`."
    assert report.notes == []  # nothing was converted


def test_a_shortcode_never_closed_is_reported_at_its_line() -> None:
    from masthead.importers.body import Context
    from masthead.importers.report import Report
    from masthead.importers.shortcodes import hugo

    report = Report()
    text = "one\ntwo {{< youtube abc\nthree"
    assert hugo(text, Context("a.md", 10, report, original=text)) == text
    assert [(n.line, n.kind) for n in report.notes] == [(11, "not-converted")]


def test_old_addresses_that_would_clash_or_cannot_be_files_are_reported(tmp_path: Path) -> None:
    from masthead.importers.authors import AuthorMap
    from masthead.importers.model import Draft, OldSite
    from masthead.importers.report import Report
    from masthead.importers.write import write_magazine

    site = OldSite("T", "en", url="https://old.example.org", drafts=[
        Draft("a.md", 1, "a", "A", datetime(2020, 1, 1), "x", section="city", slug="a",
              old_urls=["/city/", "/tags/", "/old a/", "https://old.example.org/2020/a/", "https://elsewhere.example/a/"]),
        Draft("b.md", 1, "b", "B", datetime(2020, 1, 1), "x", section="city", slug="b", old_urls=["/city/a/"]),
    ])
    report = Report()
    write_magazine(site, tmp_path / "m", AuthorMap(), report)
    table = yaml.safe_load((tmp_path / "m/site_config/redirects.yml").read_text())["redirects"]
    assert table == {"/2020/a/": "city/a.md"}  # from its own host only, and only what can be a file
    missed = sorted(n.detail.split("'")[1] for n in report.notes if n.what == "old address")
    assert missed == ["/city/", "/city/a/", "/old a/", "/tags/"]


def test_handles_and_slugs_for_names_in_any_script() -> None:
    from masthead.importers.authors import handle_of
    from masthead.importers.place import slugify

    assert handle_of("Анна Соколова") == "anna-sokolova" and handle_of("Léa Martin") == "lea-martin"
    assert handle_of("Анна Соколова") != handle_of("Анна Петрова")  # not cut to a shared prefix
    assert slugify("La fête: été") == "la-fete-ete" and slugify("???") == "story"


def test_an_address_in_a_byline_is_left_out() -> None:
    assert split_byline("Ana Ruiz <ana@example.org>") == ([Named("Ana Ruiz")], False)


@pytest.mark.parametrize("files", [
    {"content/en/posts/a.md": "EN", "content/fr/posts/a.md": "FR"},  # content/<lang>/ without contentDir
    {"content/posts/a.md": "EN", "content/posts/a.fr.md": "FR"},  # name.<lang>.md
])
def test_hugo_translations_in_either_layout(tmp_path: Path, files: dict[str, str]) -> None:
    from masthead.importers.hugo import read
    from masthead.importers.place import place_all
    from masthead.importers.report import Report

    (tmp_path / "hugo.toml").write_text('title = "T"\n[languages.en]\nweight = 1\n[languages.fr]\nweight = 2\n')
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(f"---\ntitle: {text}\ndate: 2020-01-01\n---\n\n{text} text.\n")
    plan = place_all(read(tmp_path, Report()), Report())
    placed = {p.draft.title: (p.path, p.translation_of, p.url) for p in plan.placed}
    assert placed == {"EN": ("posts/a.md", "", "posts/a/"), "FR": ("posts/a.fr.md", "posts/a.md", "fr/posts/a/")}
