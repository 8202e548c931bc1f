"""The build's redirect pages from site_config/redirects.yml, on a tiny magazine."""

from __future__ import annotations

import pytest

from masthead.domain.problems import ContentError

from ..conftest import Magazine


def test_old_addresses_become_pages_and_a_redirects_file(magazine: Magazine) -> None:
    magazine.story("city/river.md", title="The river")
    magazine.story("city/later.md", title="Later", date="2030-01-01 09:00")
    magazine.write("site_config/redirects.yml", "redirects:\n  /2020/12/02/river/: city/river.md\n"
                   "  /old/river.html: content/city/river.md\n  /about-us/: /city/\n  /2029/later/: city/later.md\n")
    magazine.build()
    page = magazine.html("2020/12/02/river/index.html")
    assert page.find("meta", attrs={"http-equiv": "refresh"})["content"] == "0; url=../../../../city/river/"
    assert page.find("link", rel="canonical")["href"] == "https://gazette.example.org/city/river/"
    assert page.find("a")["href"] == "../../../../city/river/"
    assert magazine.html("old/river.html").find("link", rel="canonical")["href"].endswith("/city/river/")
    rules = (magazine.root / "site/_redirects").read_text().splitlines()
    assert rules == ["/2020/12/02/river/ /city/river/ 301", "/about-us/ /city/ 301", "/old/river.html /city/river/ 301"]
    assert not (magazine.root / "site/2029").exists()  # not published yet: its old address waits too
    sitemap = (magazine.root / "site/sitemap.xml").read_text()
    assert "2020/12/02" not in sitemap  # redirects are not pages to index


@pytest.mark.parametrize("entry, message", [
    ("/old/: city/nowhere.md", "no story at content/city/nowhere.md"),
    ("/../etc/: city/river.md", "not a site path"),
    ("old/: city/river.md", "not a site path"),
    ("/old/: javascript:alert(1)", "neither a story nor a site path"),
])
def test_a_wrong_entry_stops_the_build_naming_it(magazine: Magazine, entry: str, message: str) -> None:
    magazine.story("city/river.md", title="The river")
    magazine.write("site_config/redirects.yml", f"redirects:\n  {entry}\n")
    with pytest.raises(ContentError) as err:
        magazine.build()
    problems = [p for p in err.value.problems if p.path == "site_config/redirects.yml"]
    assert problems and message in problems[0].message
