"""Heading anchors and the table of contents, on story pages of the sample in several
languages, and the rules behind them."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from bs4 import BeautifulSoup

from masthead.site.markdown import render_markdown
from masthead.site.toc import dress_story


def t(key: str, **kw: Any) -> str:
    return {"toc.heading": "Contents", "toc.anchor_label": "Link to this section: {title}"}[key].format(**kw)


def soup(body: str) -> BeautifulSoup:
    return BeautifulSoup(body, "html.parser")


def test_every_heading_gets_a_named_anchor_to_itself() -> None:
    body = dress_story(render_markdown("# Top\n\n## Fish &amp; chips\n\ntext\n\n###### Small\n"), t)
    headings = soup(body).find_all(["h1", "h2", "h6"])
    assert len(headings) == 3
    for h in headings:
        link = h.find("a", class_="heading-anchor")
        assert link["href"] == "#" + h["id"]
        assert link["aria-label"] == f"Link to this section: {h.get_text(' ', strip=True)}"
        assert link.get_text() == "" and link.has_attr("data-pagefind-ignore")  # the `#` is CSS's
    assert soup(body).find("h2")["id"] == "fish--chips"  # GitHub's id, unchanged


@pytest.mark.parametrize(("count", "limit", "shown"), [(3, 3, False), (4, 3, True), (1, 0, True), (4, 4, False)])
def test_contents_only_past_the_setting(count: int, limit: int, shown: bool) -> None:
    text = "".join(f"## Part {n}\n\nWords.\n\n" for n in range(count))
    assert (soup(dress_story(render_markdown(text), t, limit)).find("details", class_="toc") is not None) is shown


def test_contents_nest_by_level_and_link_every_listed_heading() -> None:
    text = "# Title\n\n## A\n\n### A.1\n\n#### A.1.a\n\n## B\n\n#### B deep\n\n## C\n\n##### too deep\n"
    page = soup(dress_story(render_markdown(text), t))
    toc = page.find("details", class_="toc")
    assert toc.find("summary").get_text() == "Contents" and not toc.has_attr("open")
    links = [a["href"] for a in toc.find_all("a")]
    assert links == ["#a", "#a1", "#a1a", "#b", "#b-deep", "#c"]  # H1 and H5 are not listed
    assert all(page.find(id=href[1:]) is not None for href in links)
    assert all(ol.parent.name in ("nav", "li") for ol in toc.find_all("ol"))  # no list straight in a list
    assert toc.find("a", href="#b-deep").find_parent("li").find_parent("li").a["href"] == "#b"


def test_headings_inside_code_are_not_headings() -> None:
    body = dress_story(render_markdown("```md\n## not a heading\n```\n\n## Real\n"), t)
    assert body.count("heading-anchor") == 1


@pytest.mark.parametrize(("path", "contents", "label"), [
    ("ru/city/rynok-na-naberezhnoy/index.html", "Содержание", "Ссылка на этот раздел: "),
    ("ko/culture/pansori/index.html", "목차", "이 부분으로 가는 링크: "),
    ("culture/curly-braces/index.html", "Contents", "Link to this section: "),
])
def test_sample_story_pages_have_contents_and_anchors_in_their_language(
        page: Callable[[str], BeautifulSoup], path: str, contents: str, label: str) -> None:
    html = page(path)
    body = html.find(class_="story-body")
    toc = body.find("details", class_="toc")
    assert toc is not None and toc.summary.get_text(strip=True) == contents
    assert toc.nav["aria-label"] == contents
    targets = [a["href"][1:] for a in toc.find_all("a")]
    assert len(targets) > 3 and all(html.find(id=target) is not None for target in targets)
    headings = body.find_all(["h2", "h3", "h4"])
    assert headings
    for h in headings:
        link = h.find("a", class_="heading-anchor")
        assert link["href"] == f"#{h['id']}" and link["aria-label"].startswith(label)
        assert link["aria-label"][len(label):] in h.get_text().replace("\u00a0", " ")  # typeset heading
    assert html.find("link", href=lambda v: bool(v) and v.endswith("assets/toc.css")) is not None


def test_a_short_story_has_anchors_but_no_contents(page: Callable[[str], BeautifulSoup]) -> None:
    html = page("world/tbilisi-balconies/index.html")  # three headings: not more than the default 3
    assert html.find("details", class_="toc") is None and html.find("a", class_="heading-anchor") is not None


def test_feeds_carry_no_anchor_links(sample: Any) -> None:
    feeds = [p.read_text(encoding="utf-8") for p in sample.rglob("*.xml")]
    with_body = [text for text in feeds if "Люди за прилавками" in text]  # a heading of the market story
    assert with_body and not any("heading-anchor" in text or "toc-nav" in text for text in with_body)


def test_sample_code_is_highlighted(page: Callable[[str], BeautifulSoup]) -> None:
    html = page("culture/curly-braces/index.html")
    code = html.find("code", class_="language-jinja")
    assert code is not None and code.parent["class"] == ["highlight"] and code.find("span", class_="cp")
    assert "Dear {{ reader.first_name }}," in code.get_text()  # template-looking text shown as written
    assert html.find("link", href=lambda v: bool(v) and v.endswith("assets/code.css")) is not None
