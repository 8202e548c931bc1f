"""Real-world Markdown, built: control characters, removed elements, GitHub alerts, click-to-load
embeds, downloads and links from the root; what readers see, parsed (issue 13, item 2)."""

from __future__ import annotations

import json
import os
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import given, settings, strategies as st

from masthead.importers.body import video_link
from masthead.site.feeds import FeedData, FeedEntry, feed_urls, render_feeds
from masthead.site.markdown import render_markdown
from masthead.sources.frontmatter import parse_story
from masthead.sources.magazine import load_magazine

from ..conftest import NOW, Magazine
from .test_attacks import dangers

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
LEAKS = ("{{<", "{{%", "{#", "{%", "@/", "&lt;script", "&lt;style", "&lt;iframe", "&lt;noscript", "&lt;/")


def front(**fields: Any) -> str:
    data = {"title": "A story", "authors": ["anna"], "date": "2026-11-01 09:00", "section": "city",
            "summary": "What it is about."}
    data.update(fields)
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n\n"


def body_of(mag: Magazine, path: str) -> BeautifulSoup:
    found = mag.html(path).select_one(".story-body")
    assert found is not None, path
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Magazine:
    """One magazine holding every case, built once."""
    mag = Magazine(tmp_path_factory.mktemp("realmd") / "mag")
    settings = yaml.safe_load((mag.root / "site_config/magazine.yml").read_text())
    mag.settings({**settings, "embeds": ["www.youtube-nocookie.com", "player.vimeo.com", "openstreetmap.org"]})
    # a form feed (C0), NEL and a C1 CSI, raw in the file and as YAML escapes in the title
    mag.write("content/city/controls.md", front(title="Page\fbreak \x85here", summary="Sum\x9bmary")
              .replace("\x85", "\\x85") + "Line one\x0c\nLine \x85two \x9b three.\n")
    mag.story("city/tags.md", """\
        Before.

        <script src="charts.js">drawCharts()</script>

        <style>p { color: red }</style>

        <noscript>Enable JavaScript to see the chart</noscript>

        <textarea>typed text</textarea>

        <svg><title>Chart title</title><text>42 percent</text></svg>

        A form: <form action="https://evil.example/"><button>Send it</button></form>

        Inline <script>alert(1)</script> script, and 3 < 4 > 2 & a <b>bold</b> word.

        After.
        """, title="Tags")
    mag.story("city/alerts.md", """\
        > [!WARNING] Road closed
        > Take the bridge.

        > [!NOTE]
        > Plain note.

        > [!CAUTION] **Deep** water
        """, title="Alerts")
    mag.story("city/alerts.ru.md", "> [!TIP]\n> Совет дня.\n\n> [!WARNING]\n> Осторожно.\n", title="Заметки",
              lang="ru", translation_of="city/alerts.md")
    mag.story("city/embeds.md", textwrap.dedent("""\
        <iframe src="https://www.youtube-nocookie.com/embed/abc123" title="The river film" width="560"></iframe>

        A map: <iframe src="https://www.openstreetmap.org/export/embed.html?bbox=1,2,3,4"></iframe> inline.

        <iframe src="https://codepen.io/someone/embed/xyz"></iframe>

        <iframe src="javascript:alert(1)"></iframe>
        """) + video_link("vimeo", "55073825"), title="Embeds")
    mag.story("city/embeds.ru.md", '<iframe src="https://player.vimeo.com/video/1"></iframe>\n', title="Видео",
              lang="ru", translation_of="city/embeds.md")
    mag.story("city/links.md", """\
        Get [the PDF](files/guide.pdf), [the map](files/map.svg "A map") and [data][d].
        Read [the other](/content/culture/other.md#part), [it again](/culture/other/), [about](/about/),
        [relative](../culture/other.md) and [the translated one](../culture/translated.md).

        [d]: data.csv
        """, title="Links")
    mag.write("content/city/files/guide.pdf", b"%PDF-1.4 guide")
    mag.write("content/city/files/map.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
              '<rect width="1" height="1"/></svg>')
    mag.write("content/city/data.csv", "a,b\n1,2\n")
    mag.story("culture/other.md", "## Part\n\nOther.\n", title="Other", section="culture")
    mag.story("culture/translated.md", "English.\n", title="Translated", section="culture")
    mag.story("culture/translated.ru.md", "Русский.\n", title="Переведено", section="culture", lang="ru",
              translation_of="culture/translated.md")
    mag.story("culture/links.ru.md", "Смотрите [это](translated.md) и [то](other.md).\n", title="Ссылки",
              section="culture", lang="ru")
    mag.build()
    return mag


# --- control characters ------------------------------------------------------------------
def test_control_characters_are_removed_with_a_warning_naming_the_line(built: Magazine) -> None:
    _, problems = load_magazine(built.root)
    mine = [p for p in problems if p.path == "content/city/controls.md" and p.code == "control-character"]
    assert {(p.line, p.field) for p in mine} >= {(2, "title"), (7, "summary")}
    assert any(p.field == "" and p.line == 10 and "U+000C" in p.found for p in mine)
    assert all(p.severity.value == "warning" for p in mine)


def test_no_control_character_reaches_any_writer(built: Magazine) -> None:
    site = built.root / "site"
    bad = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
    for path in site.rglob("*"):
        if path.suffix in (".html", ".xml", ".json"):
            assert not bad.search(path.read_text(encoding="utf-8")), path
    ET.parse(site / "rss.xml")
    ET.parse(site / "atom.xml")
    feed = json.loads((site / "feed.json").read_text())
    assert any(item["title"] == "Pagebreak here" for item in feed["items"])
    page = built.html("city/controls/index.html")
    assert page.select_one("h1").get_text(strip=True) == "Pagebreak here"


# --- removed elements --------------------------------------------------------------------
def test_removed_elements_leave_no_text_and_prose_keeps_its_angle_brackets(built: Magazine) -> None:
    body = body_of(built, "city/tags/index.html")
    text = body.get_text(" ")
    for gone in ("drawCharts", "color: red", "Enable JavaScript", "typed text", "alert(1)", "<script", "<style",
                 "Chart title", "42 percent", "Send it"):
        assert gone not in text
    assert not body.select("script, style, noscript, textarea, iframe, svg, form, button")
    assert not body.select("p:empty")
    assert "3 < 4 > 2 & a bold word" in " ".join(text.split())
    assert "Before." in text and "After." in text
    raw = (built.root / "site/city/tags/index.html").read_text()
    assert not any(leak in raw for leak in LEAKS)


# --- alerts ------------------------------------------------------------------------------
def test_alerts_keep_custom_titles_and_translate_the_others(built: Magazine) -> None:
    en = body_of(built, "city/alerts/index.html")
    alerts = en.select("blockquote.admonition[role=note]")
    titles = [" ".join(a.select_one(".admonition-title").get_text().split()) for a in alerts]
    assert titles == ["Road closed", "Note", "Deep water"]
    assert [a["class"][1] for a in alerts] == ["warning", "note", "caution"]
    assert alerts[0].select("p")[1].get_text(strip=True) == "Take the bridge."
    assert alerts[2].select_one(".admonition-title strong").get_text() == "Deep"
    assert "[!" not in en.get_text()
    ru = body_of(built, "ru/city/alerts/index.html")
    assert [t.get_text(strip=True) for t in ru.select(".admonition-title")] == ["Совет", "Внимание"]


# --- embeds ------------------------------------------------------------------------------
def outside_requests(page: BeautifulSoup) -> list[str]:
    """Everything a browser would fetch from another host on opening the page."""
    found = []
    for tag in page.find_all(True):
        for name in ("src", "data", "poster", "srcset"):
            value = str(tag.get(name, ""))
            if value.startswith(("http:", "https:", "//")):
                found.append(f"{tag.name} {name}={value}")
        if tag.name == "link" and str(tag.get("href", "")).startswith(("http", "//")) \
                and not {"canonical", "alternate"} & set(tag.get("rel", [])):
            found.append(f"link {tag.get('href')}")
    return found


def test_allowed_frames_become_click_to_load_placeholders(built: Magazine) -> None:
    page = built.html("city/embeds/index.html")
    body = page.select_one(".story-body")
    assert body is not None and not body.find("iframe")
    assert outside_requests(page) == []
    boxes = body.select(".embed[data-embed-src]")
    assert [b["data-embed-host"] for b in boxes] == ["www.youtube-nocookie.com", "www.openstreetmap.org",
                                                    "player.vimeo.com"]
    youtube, osm, vimeo = boxes
    assert youtube.name == "div" and osm.name == "span"  # a frame inside a sentence stays inside it
    assert youtube.select_one("button.embed-load").get_text() == "Load content from www.youtube-nocookie.com"
    assert youtube.select_one("button.embed-load").has_attr("hidden")  # shown by embeds.js; without it, the link
    assert youtube.select_one("a.embed-link")["href"] == "https://www.youtube.com/watch?v=abc123"
    assert youtube.select_one("a.embed-link").get_text() == "The river film"
    assert osm.select_one("a")["href"].startswith("https://www.openstreetmap.org/export/embed.html")
    assert page.select_one('script[src$="assets/embeds.js"]') is not None
    # the importers' video (a shortcode) is the same placeholder as a frame written by hand
    assert vimeo.select_one("a.embed-link")["href"] == "https://vimeo.com/55073825"
    assert vimeo.select_one("a.embed-link").get_text() == "Watch the video on Vimeo"
    # a host not on the list: a plain link; a frame that is not a web address: gone
    external = body.select(".embed-external a")
    assert [a["href"] for a in external] == ["https://codepen.io/someone/embed/xyz"]
    assert len(body.select("button[type=button].embed-load")) == len(body.select("button")) == 3
    assert [d for d in dangers(body) if d != "<button>"] == []
    assert "javascript" not in str(body).lower()


def test_feeds_carry_the_link_without_the_button(built: Magazine) -> None:
    rss = ET.parse(built.root / "site/rss.xml").getroot()
    html = next(i.findtext(CONTENT) or "" for i in rss.iter("item") if i.findtext("title") == "Embeds")
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.select("button, iframe")
    assert [a["href"] for a in soup.select(".embed a.embed-link")][:1] == ["https://www.youtube.com/watch?v=abc123"]


def test_placeholders_speak_the_story_language(built: Magazine) -> None:
    ru = body_of(built, "ru/city/embeds/index.html")
    # the one-letter preposition is bound to the next word, as Russian typesetting does (docs/theme.md)
    assert ru.select_one("button.embed-load").get_text() == "Загрузить содержимое с\u00a0player.vimeo.com"
    assert ru.select_one("a.embed-link").get_text() == "Открыть на player.vimeo.com"


def test_no_host_on_the_list_means_links_only() -> None:
    html = render_markdown('<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>\n', embeds=())
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.select("button, iframe") and soup.select_one(".embed-external a") is not None


def test_a_frame_quoted_in_an_attribute_stays_text() -> None:
    html = render_markdown('<a title="<iframe src=https://player.vimeo.com/video/1>">t</a>\n',
                           embeds=("player.vimeo.com",))
    soup = BeautifulSoup(html, "html.parser")
    assert [tag.name for tag in soup.find_all(True)] == ["p", "a"] and soup.a.get_text() == "t"


# --- downloads and links -----------------------------------------------------------------
def test_downloads_are_copied_beside_the_page_and_links_work(built: Magazine) -> None:
    site = built.root / "site"
    body = body_of(built, "city/links/index.html")
    hrefs = {a.get_text(" ", strip=True): a["href"] for a in body.select("a[href]")}
    assert hrefs["the PDF"] == "files/guide.pdf" and hrefs["data"] == "data.csv"
    assert (site / "city/links/files/guide.pdf").read_bytes() == b"%PDF-1.4 guide"
    assert (site / "city/links/data.csv").is_file()
    svg = (site / "city/links/files/map.svg").read_text()
    assert "<rect" in svg and "script" not in svg  # an SVG download goes through svg-hush too
    assert hrefs["the other"] == "../../culture/other/#part"
    assert hrefs["it again"] == "../../culture/other/" and hrefs["about"] == "../../about/"
    assert hrefs["relative"] == "../../culture/other/"
    assert hrefs["the translated one"] == "../../culture/translated/"


def test_links_lead_to_the_reader_language_version(built: Magazine) -> None:
    body = body_of(built, "ru/culture/links/index.html")
    hrefs = {a.get_text(strip=True): a["href"] for a in body.select("a[href]")}
    assert hrefs["это"] == "../../../ru/culture/translated/"  # its Russian version
    assert hrefs["то"] == "../../../culture/other/"  # no Russian version: the story itself


def test_feeds_make_links_absolute_from_the_site_root(built: Magazine) -> None:
    rss = ET.parse(built.root / "site/rss.xml").getroot()
    html = next(i.findtext(CONTENT) or "" for i in rss.iter("item") if i.findtext("title") == "Links")
    hrefs = {a.get_text(" ", strip=True): a["href"] for a in BeautifulSoup(html, "html.parser").select("a")}
    assert hrefs["the other"] == "https://gazette.example.org/culture/other/#part"
    assert hrefs["about"] == "https://gazette.example.org/about/"
    assert hrefs["relative"] == "https://gazette.example.org/culture/other/"
    assert hrefs["the PDF"] == "https://gazette.example.org/city/links/files/guide.pdf"


def test_broken_downloads_are_reported_with_file_and_line(magazine: Magazine, tmp_path: Path) -> None:
    (tmp_path / "secret.pdf").write_bytes(b"outside")
    magazine.story("city/bad.md", "One.\n\n[gone](files/gone.pdf)\n\n[out](leak.pdf) [up](../up.zip)"
                   " [page](page.xhtml)\n")
    os.symlink(tmp_path / "secret.pdf", magazine.root / "content/city/leak.pdf")
    magazine.write("content/up.zip", b"zip")
    _, problems = load_magazine(magazine.root)
    mine = {(p.line, p.code, p.message.split(":")[0]) for p in problems if p.path == "content/city/bad.md"}
    assert (12, "missing-file", "missing file") in mine
    assert (14, "path-escape", "linked file leaves the story's folder") in mine
    assert {code for line, code, _ in mine if line == 14} == {"path-escape", "active-download"}
    with pytest.raises(Exception, match="missing file"):
        magazine.build()


# --- round trip and a property -----------------------------------------------------------
def test_no_source_syntax_or_literal_tag_on_any_built_page(built: Magazine) -> None:
    for path in (built.root / "site").rglob("index.html"):
        page = BeautifulSoup(path.read_text(), "html.parser")
        body = page.select_one(".story-body")
        if body is None:
            continue
        text, raw = body.get_text(" "), str(body)
        assert not re.search(r"<\s*/?\s*(script|style|iframe|noscript|textarea)\b", text, re.I), path
        assert not any(leak in raw for leak in LEAKS), path


PIECES = ["[x](javascript:alert(1))", "<a href=\"java\tscript:alert(1)\">a</a>", "<iframe src=\"javascript:x\">",
          "<iframe src=\"https://player.vimeo.com/video/1\"></iframe>", "> [!NOTE] t", "[d](f.pdf)",
          "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "text", "\n", "\n\n", "![i](x.png)"]
CONTROLS = [chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), *range(127, 160), 0xFFFE, 0xFFFF]]


def writers_output(raw: bytes) -> list[tuple[str, str]]:
    """A story file through what a build does with its text: front matter and body parsed,
    the body rendered and cleaned, then every feed format written (RSS and Atom by lxml, which
    refuses a control character, and JSON); each output with its kind."""
    parsed = parse_story("content/city/p.md", raw)
    assert parsed.data is not None
    html = render_markdown(parsed.body, embeds=("player.vimeo.com",))
    entry = FeedEntry(url="https://x.example/city/p/", title=str(parsed.data["title"]), lang="en",
                      published=NOW, updated=NOW, authors=(("Anna", "https://x.example/authors/anna/"),),
                      summary=str(parsed.data["summary"]), tags=tuple(map(str, parsed.data["tags"])), content_html=html)
    data = FeedData(page_url="https://x.example/", title="T", description="D", lang="en", newest=NOW, hub="",
                    urls=feed_urls("https://x.example/", ""), entries=(entry,))
    feeds = render_feeds(data)
    return [(kind, body.decode("utf-8")) for kind, body in feeds.items()] + [("html", html)]


@settings(max_examples=60, deadline=None)
@given(body=st.lists(st.sampled_from(PIECES + CONTROLS), max_size=30),
       title=st.text(st.sampled_from(CONTROLS + ["a", "é", " ", "\\", '"']), min_size=1, max_size=12),
       noise=st.text(max_size=40))
def test_control_characters_never_break_a_writer_and_no_script_url_survives(body: list[str], title: str,
                                                                             noise: str) -> None:
    raw = (front(title="T " + title, summary="S" + title + noise, tags=[title + "t"]) + "".join(body)
           + noise + "\n").encode("utf-8")
    for kind, text in writers_output(raw):
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]", text), kind
        if kind in ("rss", "atom"):
            root = ET.fromstring(text.encode("utf-8"))
            html = "".join(e.text or "" for e in root.iter() if e.tag in (CONTENT, "{http://www.w3.org/2005/Atom}content"))
        else:
            html = json.loads(text)["items"][0]["content_html"] if kind == "json" else text
        assert [d for d in dangers(BeautifulSoup(html, "html.parser")) if d != "<button>"] == [], (kind, html)


def test_a_build_with_every_control_character_succeeds(magazine: Magazine) -> None:
    """The same, through a whole build: every writer, the search index and the story page."""
    every = "".join(CONTROLS)
    magazine.write("content/city/p.md", front(title="T", summary="S") + f"Body {every} end.\n")
    magazine.write("content/city/q.md", front(title="T\ufffe", summary="S") + "[x](java\x00script:alert(1))\n")
    magazine.build()
    site = magazine.root / "site"
    for path in site.rglob("*"):
        if path.suffix in (".html", ".xml", ".json"):
            assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", path.read_text()), path
    assert magazine.html("city/p/index.html").select_one(".story-body").get_text(strip=True) == "Body  end."
    assert "javascript" not in str(magazine.html("city/q/index.html").select_one(".story-body")).lower()
