"""Fenced code highlighted at build time: classes, languages, escaping, contrast, the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from masthead import state
from masthead.site import highlight
from masthead.site.highlight import DarkStyle, LightStyle, stylesheet
from masthead.site.markdown import render_markdown

ROOT = Path(__file__).resolve().parents[2]


def luminance(colour: str) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def surfaces() -> dict[str, str]:
    """The code background of site.css, light and dark, as the theme has it."""
    css = (ROOT / "theme/assets/site.css").read_text()
    light = css.split(":root {", 1)[1].split("--surface:", 1)[1].split(";", 1)[0].strip()
    dark = css.split(':root[data-theme="dark"] {', 1)[1].split("--surface:", 1)[1].split(";", 1)[0].strip()
    return {"light": light, "dark": dark}


def test_contrast_calculation_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the classic AA grey


@pytest.mark.parametrize("style,which", [(LightStyle, "light"), (DarkStyle, "dark")])
def test_every_token_colour_meets_aa_on_the_code_background(style: type, which: str) -> None:
    background = surfaces()[which]
    assert style.background_color.lower() == background.lower()
    colours = {"#" + st["color"] for _, st in style if st["color"]}
    assert len(colours) >= 8
    weak = {c: round(contrast(c, background), 2) for c in colours if contrast(c, background) < 4.5}
    assert not weak


def test_the_shipped_stylesheet_is_the_styles() -> None:
    assert (ROOT / "theme/assets/code.css").read_text() == stylesheet()
    assert ':root[data-theme="dark"] .highlight .k ' in stylesheet()


def code_of(body: str) -> list:  # type: ignore[type-arg]
    return BeautifulSoup(body, "html.parser").find_all("code")


def test_known_language_gets_classes_and_keeps_its_text() -> None:
    source = 'fn main() {\n    let s = "x"; // note\n}\n'
    html = render_markdown(f"```rust\n{source}```\n")
    (code,) = code_of(html)
    assert code["class"] == ["language-rust"] and code.parent["class"] == ["highlight"]
    assert {"k", "s", "c1"} <= {c for span in code.find_all("span") for c in span.get("class", [])}
    assert code.get_text() == source  # nothing added, nothing lost
    assert "style=" not in html and "<script" not in html
    assert not code.parent.has_attr("lang")  # `lang` names a human language, not a programming one


def test_unknown_language_is_plain_and_escaped() -> None:
    html = render_markdown("```klingon\n<b>qapla'</b> & more\n```\n")
    (code,) = code_of(html)
    assert code["class"] == ["language-klingon"] and not code.find_all(True)
    assert code.get_text() == "<b>qapla'</b> & more\n" and "&lt;b&gt;" in html


def test_markup_in_a_fence_stays_text() -> None:
    evil = '</code></pre><script>alert(1)</script><img src=x onerror=alert(2)>"\n'
    for lang in ("html", "python", "nolang"):
        html = render_markdown(f"```{lang}\n{evil}```\n")
        soup = BeautifulSoup(html, "html.parser")
        assert not soup.find_all(["script", "img"]) and "<script" not in html
        assert soup.find("code").get_text() == evil


def test_raw_html_code_block_is_cleaned_before_highlighting() -> None:
    html = render_markdown('<pre lang="python"><code>x = 1<img src=x onerror=alert(1)></code></pre>\n')
    assert "onerror" not in html and 'class="highlight"' not in html  # a tag inside: left as cleaned


def test_a_hostile_language_name_is_not_a_class() -> None:
    html = render_markdown('```"><script>alert(1)</script>\nx\n```\n')
    assert "<script" not in html and "language-" not in html


def test_blocks_are_kept_between_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    state.use(repo, tmp_path / "state")
    monkeypatch.setattr(highlight, "_DONE", {})
    try:
        highlight.keep_in(repo)
        first = render_markdown("```python\nprint('kept')\n```\n")
        monkeypatch.setattr(highlight, "_DONE", {})  # the next build, in a new process
        highlight.keep_in(repo)
        assert len(highlight._DONE) == 1
        calls: list[str] = []
        monkeypatch.setattr(highlight, "pygmentize", lambda *a: calls.append("x") or "")
        assert render_markdown("```python\nprint('kept')\n```\n") == first and not calls
    finally:
        monkeypatch.setattr(highlight, "_KEPT", None)
        state.use(repo, None)
