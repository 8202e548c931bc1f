"""What each importer does with its generator's quirks, seen in the new magazine's files and
on the built pages."""

from __future__ import annotations

import json
from urllib.parse import urljoin, urlsplit

import yaml
from bs4 import BeautifulSoup

from .conftest import Imported


def fields(result: Imported, rel: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(result.story(rel).split("---")[1])


def soup(result: Imported, path: str) -> BeautifulSoup:
    return BeautifulSoup(result.page(path), "html.parser")


def lands(page: str, href: str) -> str:
    """Where a link on the page at `page` leads, as a site path without slashes around it."""
    return urlsplit(urljoin(f"https://x.example/{page.strip('/')}/", href)).path.strip("/")


def notes(result: Imported) -> list[dict]:  # type: ignore[type-arg]
    return json.loads((result.root / "import-report.json").read_text())["notes"]


def test_hugo_shortcodes_become_markdown(imported: dict[str, Imported]) -> None:
    hugo = imported["hugo"]
    page = soup(hugo, "posts/river-bundle")
    body = page.select_one("article.story")
    text = body.get_text(" ")
    assert "Lyon" in text  # {{% param "city" %}}
    assert "Hidden editors' note" not in hugo.page("posts/river-bundle")  # {{% comment %}} and what it hid
    links = {a.get_text(strip=True): a["href"] for a in body.select("a[href]")}
    assert links["Watch the video on YouTube"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert links["Watch the video on Vimeo"] == "https://vimeo.com/55073825"
    assert not page.find("iframe")  # nothing loads from YouTube until the reader asks
    assert links["Gist spf13/7896402"] == "https://gist.github.com/spf13/7896402"
    assert body.select_one("pre code").get_text().strip() == 'print("hello")'  # {{< highlight >}}
    assert any(img["alt"] == "Boats" for img in body.select("img"))  # {{< figure >}}
    assert "Boats on the river" in text


def test_hugo_refs_attributes_and_anchors(imported: dict[str, Imported]) -> None:
    hugo = imported["hugo"]
    body = soup(hugo, "posts/river-bundle").select_one("article.story")
    hrefs = {a.get_text(strip=True): a["href"] for a in body.select("a[href]")}
    assert lands("posts/river-bundle", hrefs["market story"]) == "posts/market"  # {{< relref "market.md" >}}
    heading = body.find("h2", string=lambda s: s and "The parade" in s) or body.find(
        lambda t: t.name == "h2" and "The parade" in t.get_text())
    assert heading is not None and "{#" not in heading.get_text()
    assert hrefs["the parade"] == "#" + heading["id"]  # the link to {#parade} follows the heading
    rows = body.select("table tr")
    assert len(rows) == 2 and ".striped" not in body.get_text()  # the {.striped} line is no row
    market = soup(hugo, "posts/market").select_one("article.story")
    festival = {a.get_text(strip=True): a["href"] for a in market.select("a[href]")}["festival"]
    assert lands("posts/market", festival) == "posts/river-bundle"  # {{< ref >}} to a bundle, same language
    market_links = {a.get_text(strip=True): a["href"] for a in market.select("a[href]")}
    again = market_links["the festival again"]  # a relative link to the old site's file
    assert lands("posts/market", again) == "posts/river-bundle" and again.endswith("#the-parade")
    assert market_links["a lost one"] == "#"  # to no imported story: reported, and no broken .md link
    assert any(n["what"] == "link" and "nowhere.md" in n["detail"] for n in notes(hugo))


def test_hugo_front_matter_forms_dates_and_bundles(imported: dict[str, Imported]) -> None:
    hugo = imported["hugo"]
    assert fields(hugo, "posts/river-bundle/river-bundle.md")["date"] == "2020-12-02 09:30+01:00"  # TOML
    market = fields(hugo, "posts/market/market.md")  # YAML with an anchor and a merge key
    assert market["authors"] == ["ana-ruiz", "tom-ashworth"]  # "A & B", Tom merged with data/authors/tom
    note = fields(hugo, "notes/quick-note.md")  # JSON front matter, dated by its file name 2020-12-2-...
    assert note["date"].startswith("2020-12-02") and note["title"] == "A quick note"
    for name in ("boats.svg", "schedule.pdf", "map.svg"):  # the bundle's files, and the shared static image
        assert (hugo.root / "content/posts/river-bundle" / name).is_file()
    assert (hugo.root / "content/posts/market/map.svg").is_file()  # shared: beside each story using it


def test_hugo_translations_and_registry(imported: dict[str, Imported]) -> None:
    hugo = imported["hugo"]
    fr = fields(hugo, "posts/river-bundle/river-bundle.fr.md")
    assert fr["translation_of"] == "posts/river-bundle/river-bundle.md" and fr["lang"] == "fr"
    assert (hugo.site / "fr/posts/river-bundle/index.html").is_file()
    tom = yaml.safe_load((hugo.root / "contributors/tom-ashworth.yml").read_text())
    assert tom["name"] == "Tom Ashworth" and tom["bio"] == "Writes about the quays."
    editors = yaml.safe_load((hugo.root / "contributors/editors.yml").read_text())
    assert editors["name"] == "The Old Quay editors"  # a story naming nobody
    guessed = [n for n in notes(hugo) if n["kind"] == "guessed" and n["what"] == "authors"]
    assert {(n["source"], n["line"]) for n in guessed} >= {("content/en/posts/market.md", 4)}
    broken = [n for n in notes(hugo) if n["source"] == "content/en/posts/broken.md"]
    assert [(n["kind"], n["what"]) for n in broken] == [("not-converted", "front matter")]
    assert broken[0]["line"] == 2 and "fix it and import again" in broken[0]["detail"]  # where the quote opens
    missed = [n for n in notes(hugo) if n["what"] == "shortcode unknownthing"]
    assert missed and missed[0]["line"] == 39 and missed[0]["kind"] == "not-converted"


def test_hugo_old_addresses(imported: dict[str, Imported]) -> None:
    table = yaml.safe_load((imported["hugo"].root / "site_config/redirects.yml").read_text())["redirects"]
    assert table["/2020/12/the-river-festival/"] == "posts/river-bundle/river-bundle.md"  # permalinks :slug = title
    assert table["/old/river-festival/"] == "posts/river-bundle/river-bundle.md"  # an alias
    assert table["/posts/river-fest/"] == "posts/river-bundle/river-bundle.md"  # a relative alias
    assert table["/fr/2020/12/la-fête-de-la-rivière/"] == "posts/river-bundle/river-bundle.fr.md"


def test_zola(imported: dict[str, Imported]) -> None:
    zola = imported["zola"]
    first = fields(zola, "blog/first-light/first-light.md")
    assert first["date"].startswith("2021-01-15")  # from 2021-01-15_first-light.md
    assert first["authors"] == ["lea-martin", "jun-park"]
    body = soup(zola, "blog/first-light").select_one("article.story")
    hrefs = {a.get_text(strip=True): a["href"] for a in body.select("a[href]")}
    colocated_link = hrefs["link to the colocated post"]
    assert lands("blog/first-light", colocated_link) == "blog/colocated" and colocated_link.endswith("#gallery")
    assert "A quoted line." in body.get_text()  # an unknown block shortcode keeps its text
    assert "A form feed pasted from a PDF." in body.get_text()  # U+000C removed: feeds can be written
    assert ("control characters", "1 removed") in {(n["what"], n["detail"]) for n in notes(zola)}
    fr = fields(zola, "blog/first-light/first-light.fr.md")
    assert fr["translation_of"] == "blog/first-light/first-light.md"
    table = yaml.safe_load((zola.root / "site_config/redirects.yml").read_text())["redirects"]
    assert table["/special/colocated/"] == "blog/colocated/colocated.md"  # `path = ...`
    assert table["/posts/first-light.html"] == "blog/first-light/first-light.md"  # an alias
    assert (zola.site / "posts/first-light.html").is_file()
    colocated = fields(zola, "blog/colocated/colocated.md")
    assert colocated["cover"] == "photo.svg" and colocated["date"] == "2021-05-06 10:30+02:00"
    shown = soup(zola, "blog/colocated").select("article.story img")
    assert "The photo, as HTML" in [img["alt"] for img in shown]  # a lone <img> line, checked and copied


def test_jekyll(imported: dict[str, Imported]) -> None:
    jekyll = imported["jekyll"]
    tide = fields(jekyll, "harbour/tide-tables/tide-tables.md")
    assert tide["date"].startswith("2020-12-02") and tide["authors"] == ["mara-quinn"]  # unpadded file date; _data
    assert tide["tags"] == ["tides", "boats"]  # a space-separated string
    page = soup(jekyll, "harbour/tide-tables")
    codes = [c.get_text() for c in page.select("article.story code")]
    assert "{{ page.title }}" in codes  # {% raw %} keeps its text exactly
    assert any("def tide" in c for c in codes)  # {% highlight %}
    hrefs = [a["href"] for a in page.select("article.story a[href]")]
    assert sum(lands("harbour/tide-tables", h) == "news/news-day" for h in hrefs) == 2  # post_url and link
    assert "A kramdown attribute line above." in page.get_text() and ".notice" not in page.get_text()
    table = yaml.safe_load((jekyll.root / "site_config/redirects.yml").read_text())["redirects"]
    assert table["/harbour/guides/2020/12/02/tide-tables/"] == "harbour/tide-tables/tide-tables.md"  # pretty
    assert table["/old/tides/"] == table["/2020/12/02/tides.html"]  # redirect_from
    news = fields(jekyll, "news/news-day/news-day.md")
    assert news["authors"] == ["sam-lee", "mara-quinn"] and news["date"] == "2021-02-03 14:05-05:00"
    sam = yaml.safe_load((jekyll.root / "contributors/sam-lee.yml").read_text())
    assert sam["bio"] == "Harbour University" and sam["links"][0]["url"] == "https://sam.example.org"
    assert fields(jekyll, "posts/unfinished.md")["draft"] is True
    about = jekyll.root / "site_config/pages/about.md"  # a page, not a post
    assert yaml.safe_load(about.read_text().split("---")[1]) == {"title": "About"}
    assert soup(jekyll, "about").find("h1").get_text(strip=True) == "About"
    assert table["/about.html"] == "/about/"
    assert ("tags.md", "not-converted") in {(n["source"], n["kind"]) for n in notes(jekyll)}  # only a Liquid loop
    assert not (jekyll.root / "site_config/pages/tags.md").exists()
    assert ("_posts/2019-01-01-old.html", "not-converted") in {(n["source"], n["kind"]) for n in notes(jekyll)}


def test_pelican(imported: dict[str, Imported]) -> None:
    pelican = imported["pelican"]
    ferry = fields(pelican, "travel/ferry-at-dawn/ferry-at-dawn.md")
    assert ferry["authors"] == ["nadia-rahman", "omar-haddad"]  # `Authors: A; B`
    assert ferry["summary"] == "Crossing before the city wakes, on the first boat."  # a continued value
    assert ferry["updated"] == "2019-03-08 10:00" and ferry["tags"] == ["ferry", "dawn"]
    body = soup(pelican, "travel/ferry-at-dawn").select_one("article.story")
    hrefs = {a.get_text(strip=True): a["href"] for a in body.select("a[href]")}
    assert lands("travel/ferry-at-dawn", hrefs["market story"]) == "city/market-notes"  # {filename}
    assert hrefs["market again"] == hrefs["market story"]  # |filename|
    assert body.select_one("img")["src"] == "ferry.svg"  # {static}
    fr = fields(pelican, "travel/ferry-at-dawn/ferry-at-dawn.fr.md")
    assert fr["translation_of"] == "travel/ferry-at-dawn/ferry-at-dawn.md"  # same slug
    table = yaml.safe_load((pelican.root / "site_config/redirects.yml").read_text())["redirects"]
    assert table["/posts/2019/03/ferry-at-dawn/"] == "travel/ferry-at-dawn/ferry-at-dawn.md"  # ARTICLE_URL
    assert table["/fr/posts/ferry-at-dawn/"] == "travel/ferry-at-dawn/ferry-at-dawn.fr.md"  # ARTICLE_LANG_URL
    assert (pelican.root / "site_config/pages/about.md").is_file() and table["/pages/about.html"] == "/about/"
    missed = {(n["source"], n["what"]) for n in notes(pelican) if n["kind"] == "not-converted"}
    assert ("content/notes.rst", "reStructuredText") in missed and ("pelicanconf.py", "PLUGINS") in missed


def test_eleventy(imported: dict[str, Imported]) -> None:
    eleventy = imported["eleventy"]
    bridges = fields(eleventy, "posts/bridges/bridges.md")
    assert bridges["tags"] == ["bridges", "walks"]  # the collection tag `posts` from posts.json left out
    assert bridges["authors"] == ["ines-duarte", "karl-berg"]
    karl = yaml.safe_load((eleventy.root / "contributors/karl-berg.yml").read_text())
    assert karl["bio"] == "Institute of Urban Studies"
    page = soup(eleventy, "posts/bridges")
    assert page.select_one("article.story img")["alt"] == "A stone bridge"  # {% image %}
    assert "{{ title }}" in page.select_one("article.story").get_text()  # inside {% raw %}: as written
    quiet = fields(eleventy, "posts/quiet-streets.md")  # ---json front matter
    assert quiet["date"] == "2022-08-01 10:00+02:00"
    links = soup(eleventy, "posts/quiet-streets").select("article.story a[href]")
    assert any(lands("posts/quiet-streets", a["href"]) == "posts/bridges" for a in links)  # an old /-rooted address
    table = yaml.safe_load((eleventy.root / "site_config/redirects.yml").read_text())["redirects"]
    assert table["/walks/quiet-streets/"] == "posts/quiet-streets.md"  # permalink with page.fileSlug
    assert table["/posts/2022-07-09-bridges/"] == "posts/bridges/bridges.md"
    assert fields(eleventy, "posts/bridges/bridges.fr.md")["translation_of"] == "posts/bridges/bridges.md"


def test_wordpress(imported: dict[str, Imported]) -> None:
    wp = imported["wordpress"]
    lock = fields(wp, "neighbourhood/the-lock-keeper/the-lock-keeper.md")
    assert lock["title"] == "The lock keeper & her cat" and lock["date"] == "2021-03-14 08:00+00:00"  # GMT
    assert lock["authors"] == ["rosa-lind"] and lock["cover"] == "lock.svg" and lock["tags"] == ["canal"]
    body = soup(wp, "neighbourhood/the-lock-keeper").select_one("article.story")
    assert body.find("h2") is not None and body.find("li").get_text() == "One cat"  # HTML kept as HTML
    assert "The lock at noon" in body.get_text()  # [caption]
    assert body.select_one("img")["src"].endswith("the-lock-keeper/lock.svg")  # the 300x200 copy's original
    assert "alert" not in body.get_text() and "contact-form-7" not in body.get_text()
    hrefs = {a.get_text(strip=True): a["href"] for a in body.select("a[href]")}
    assert lands("neighbourhood/the-lock-keeper", hrefs["bridge night"]) == "neighbourhood/bridge-night"
    assert hrefs["Watch the video on YouTube"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert 'print("x &lt; y")' in wp.page("neighbourhood/the-lock-keeper") or "x < y" in body.select_one("pre").get_text()
    assert hrefs["timetable"] == "timetable.pdf"  # an uploaded file, copied beside the story
    assert (wp.root / "content/neighbourhood/the-lock-keeper/timetable.pdf").is_file()
    assert fields(wp, "stories/old-draft.md")["draft"] is True
    table = yaml.safe_load((wp.root / "site_config/redirects.yml").read_text())["redirects"]
    assert table["/2021/03/14/the-lock-keeper/"] == "neighbourhood/the-lock-keeper/the-lock-keeper.md"
    assert "About us." in soup(wp, "about").get_text()  # a WordPress page: a stand-alone page
    line = next(n for n in notes(wp) if n["what"] == "shortcode [contact-form-7]")
    assert (line["source"], line["line"]) == ("export.xml", 49)


def test_ghost(imported: dict[str, Imported]) -> None:
    ghost = imported["ghost"]
    day = fields(ghost, "harbour/harbour-day/harbour-day.md")
    assert day["authors"] == ["pia-holm", "ole-sand"] and day["tags"] == ["Harbour"]  # #internal left out
    assert day["cover"] == "harbour.svg" and day["cover_alt"] == "Boats in the harbour"
    body = soup(ghost, "harbour/harbour-day").select_one("article.story")
    link = {a.get_text(strip=True): a["href"] for a in body.select("a[href]")}["the next one"]
    assert lands("harbour/harbour-day", link) == "harbour/from-lexical"
    lexical = soup(ghost, "harbour/from-lexical").select_one("article.story")
    assert lexical.find("strong").get_text() == "Bold words" and lexical.select_one("img")["src"] == "harbour.svg"
    mobiledoc = fields(ghost, "stories/from-mobiledoc.md")
    assert mobiledoc["draft"] is True  # members-only on Ghost
    assert "Some *markdown* card." in ghost.story("stories/from-mobiledoc.md")
    assert (ghost.root / "site_config/pages/about.md").is_file()  # a Ghost page
    pia = yaml.safe_load((ghost.root / "contributors/pia-holm.yml").read_text())
    assert pia["avatar"] == "pia-holm.svg" and (ghost.root / "contributors/pia-holm.svg").is_file()
