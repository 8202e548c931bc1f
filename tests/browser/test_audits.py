"""The sample magazine audited as a reader's browser sees it: axe-core (WCAG 2.2 AA) on every
page type in every language, light and dark; Lighthouse (mobile) on the main pages in en, ru
and ko; screenshots at 1280 and 360 px for a person to look at (tests/artifacts/).

axe-core and Lighthouse are npm packages pinned in tests/browser/node/package-lock.json and
installed by `scripts/setup.sh --test` (`npm ci`). How to run and read the audits: docs/theme.md,
"Audits"."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import ARTIFACTS, CHROMIUM, WRITTEN
from .test_send_form import Stack, stack  # noqa: F401 (the fixture, for this module too)

NODE_PROJECT = Path(__file__).resolve().parent / "node"
AXE = NODE_PROJECT / "node_modules" / "axe-core" / "axe.min.js"
LIGHTHOUSE_RUNNER = NODE_PROJECT / "lighthouse-run.mjs"
NODE = shutil.which("node")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LANGUAGES = ("en", "ru", "fr", "ko")
PREFIX = {"en": "", "ru": "ru/", "fr": "fr/", "ko": "ko/"}
STORY = {"en": "city/river-festival/", "ru": "ru/city/rynok-na-naberezhnoy/", "fr": "fr/city/river-festival/",
         "ko": "ko/culture/pansori/"}
# Every page type a language has (path after the language's prefix).
PER_LANGUAGE = {"home": "", "section": "city/", "tag": "tags/river/", "place": "places/lyon/",
                "author": "authors/anna-sokolova/", "archive": "archive/", "masthead": "masthead/",
                "leaderboard": "leaderboard/", "board": "board/", "search": "search/", "send": "send/"}
# Pages the sample has in its site language only.
SITE_LANGUAGE_ONLY = {"404": "404.html", "about": "about/", "contribute": "contribute/",
                      "newsletter": "newsletter/", "newsletter-edition": "newsletter/2026-11-22/"}
# The pages Lighthouse and the screenshots cover, in these languages.
MAIN_PAGES = ("home", "story", "section", "author", "leaderboard", "send")
MAIN_LANGUAGES = ("en", "ru", "ko")
THRESHOLDS = {"performance": 95, "accessibility": 100, "best-practices": 95, "seo": 100}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/setup.sh --test installs it)"),
]


def pages_of(lang: str) -> dict[str, str]:
    """Page type -> site-relative path, for every page type `lang` has."""
    pages = {kind: PREFIX[lang] + path for kind, path in PER_LANGUAGE.items()}
    pages["story"] = STORY[lang]
    if lang == "en":
        pages.update(SITE_LANGUAGE_ONLY)
    return pages


def need_npm(path: Path) -> None:
    """The npm packages are installed by setup; in CI their absence is a failure, not a skip."""
    if NODE is None or not path.exists():
        why = f"{path.relative_to(NODE_PROJECT)} is missing: run scripts/setup.sh --test (npm ci in tests/browser/node)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope="module")
def server(stack: Stack) -> str:
    """The sample as production serves it: built for its own local address (canonical and
    hreflang point at it) with the real form service answering /send/ (test_send_form.py)."""
    return stack.site


# --- axe-core: WCAG 2.2 AA ----------------------------------------------------------------

AXE_RUN = """async (tags) => {
  await document.fonts.ready;
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n').slice(1, 3).join(' '))}));
}"""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(AXE_RUN, WCAG_TAGS)
    return found


def report(problems: dict[str, list[dict[str, Any]]]) -> str:
    lines = []
    for where, violations in problems.items():
        for v in violations:
            lines.append(f"{where}: {v['id']} ({v['impact']}) {v['help']}")
            lines.extend(f"    {node}" for node in v["nodes"])
    return "\n".join(lines)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_no_wcag_2_2_aa_violation_light_or_dark(browser: Any, server: str, lang: str) -> None:
    """Every page type of the language, at 1280 and 360 px, in the light and the dark theme."""
    need_npm(AXE)
    problems: dict[str, list[dict[str, Any]]] = {}
    checked = 0
    for width, height in ((1280, 900), (360, 740)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        for kind, path in pages_of(lang).items():
            response = page.goto(server + path)
            assert response is not None and response.ok, (path, response and response.status)
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                violations = axe_violations(page)
                checked += 1
                if violations:
                    problems[f"{lang} {kind} /{path} {width}px {scheme}"] = violations
        context.close()
    assert checked >= 4 * len(PER_LANGUAGE)
    assert not problems, "\n" + report(problems)


def test_axe_sees_a_violation_when_there_is_one(browser: Any, server: str) -> None:
    """The check above is live: light grey on white and an unlabelled button are reported."""
    need_npm(AXE)
    page = browser.new_page()
    page.goto(server + "city/")
    page.evaluate("""() => {
        const p = document.createElement('p'); p.textContent = 'Faint words'; p.style.color = '#ccc';
        p.style.background = '#fff'; document.querySelector('main').append(p, document.createElement('button')); }""")
    ids = {v["id"] for v in axe_violations(page)}
    assert {"color-contrast", "button-name"} <= ids, ids
    page.close()


# --- screenshots and glyphs ---------------------------------------------------------------

def test_screenshots_of_the_main_pages_at_1280_and_360_light_and_dark(browser: Any, server: str) -> None:
    """Written to tests/artifacts/screenshots/ (printed at the end of the run) for a person to
    look at; nothing scrolls sideways on any of them."""
    folder = ARTIFACTS / "screenshots"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    WRITTEN.append(folder)
    overflow: dict[str, int] = {}
    for width, height in ((1280, 900), (360, 740)):
        for scheme in ("light", "dark"):
            context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
            page = context.new_page()
            for lang in MAIN_LANGUAGES:
                for kind in MAIN_PAGES:
                    page.goto(server + pages_of(lang)[kind])
                    page.evaluate("document.fonts.ready.then(() => true)")
                    wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                    if wide > 0:
                        overflow[f"{lang}-{kind}-{width}-{scheme}"] = wide
                    page.screenshot(path=str(folder / f"{lang}-{kind}-{width}-{scheme}.png"), full_page=True)
            context.close()
    shots = sorted(folder.glob("*.png"))
    assert len(shots) == len(MAIN_LANGUAGES) * len(MAIN_PAGES) * 4
    assert all(shot.stat().st_size > 10_000 for shot in shots), [s.name for s in shots if s.stat().st_size <= 10_000]
    assert not overflow, overflow


GLYPHS = """([text, font]) => {
  // The same words drawn in the page's font, and characters no font has (U+0378, unassigned):
  // a missing glyph is drawn as the same empty box, so equal pixels mean boxes, not letters.
  const draw = (s) => { const c = document.createElement('canvas'); c.width = 240; c.height = 40;
    const g = c.getContext('2d'); g.font = font; g.fillText(s, 2, 30); return c.toDataURL(); };
  return {text: draw(text), boxes: draw('\\u0378'.repeat([...text].length))};
}"""


@pytest.mark.parametrize("path, text", [("ko/", "문화"), ("ru/", "Город")])
def test_hangul_and_cyrillic_are_drawn_as_letters_not_boxes(browser: Any, server: str, path: str, text: str) -> None:
    page = browser.new_page()
    page.goto(server + path)
    font = page.evaluate("(() => { const s = getComputedStyle(document.querySelector('h2, h3')); "
                         "return s.fontSize + ' ' + s.fontFamily; })()")
    drawn = page.evaluate(GLYPHS, [text, font])
    assert drawn["text"] != drawn["boxes"], f"{text!r} in {font} draws as missing-glyph boxes (fonts-noto-cjk?)"
    page.close()


# --- Lighthouse -----------------------------------------------------------------------------

def scores_markdown(results: list[dict[str, Any]]) -> str:
    rows = ["| page | performance | accessibility | best practices | SEO |", "| --- | ---: | ---: | ---: | ---: |"]
    for r in results:
        s = r["scores"]
        first = f" (first run: {r['first_performance']})" if "first_performance" in r else ""
        rows.append(f"| {r['name']} | {s['performance']}{first} | {s['accessibility']} | {s['best-practices']} "
                    f"| {s['seo']} |")
    return "\n".join(rows) + "\n"


def lighthouse(pages: list[dict[str, str]], folder: Path) -> list[dict[str, Any]]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pages.json").write_text(json.dumps(pages, indent=1), encoding="utf-8")
    env = dict(os.environ, CHROME_PATH=str(CHROMIUM))
    run = subprocess.run([str(NODE), str(LIGHTHOUSE_RUNNER), str(folder / "pages.json"), str(folder)],
                         cwd=NODE_PROJECT, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    results: list[dict[str, Any]] = json.loads((folder / "scores.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in results] == [p["name"] for p in pages]
    return results


def only_slow(result: dict[str, Any]) -> bool:
    """Below the line on performance alone: timings, which a machine shared by other jobs can
    spoil (seen: a Korean front page at 84, then 100, with style and layout 4x slower)."""
    return all(result["scores"][c] >= least for c, least in THRESHOLDS.items() if c != "performance") \
        and result["scores"]["performance"] < THRESHOLDS["performance"]


def test_lighthouse_mobile_scores_on_the_main_pages(server: str) -> None:
    """Each page once, in one Chromium: performance >= 95, accessibility 100, best practices
    >= 95, SEO 100; a page short on performance alone is measured once more (both figures are
    kept). Scores in tests/artifacts/lighthouse/scores.{json,md}, a report per page."""
    need_npm(NODE_PROJECT / "node_modules" / "lighthouse")
    folder = ARTIFACTS / "lighthouse"
    shutil.rmtree(folder, ignore_errors=True)
    WRITTEN.append(folder)
    pages = [{"name": f"{lang}-{kind}", "url": server + pages_of(lang)[kind]}
             for lang in MAIN_LANGUAGES for kind in MAIN_PAGES]
    results = lighthouse(pages, folder)
    slow = {r["name"] for r in results if only_slow(r)}
    if slow:
        again = {r["name"]: r for r in lighthouse([p for p in pages if p["name"] in slow], folder / "again")}
        results = [dict(again[r["name"]], first_performance=r["scores"]["performance"]) if r["name"] in again else r
                   for r in results]
    (folder / "scores.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (folder / "scores.md").write_text(scores_markdown(results), encoding="utf-8")
    low = []
    for r in results:
        assert r["runtimeError"] is None, (r["name"], r["runtimeError"])
        # Lighthouse 12.2.3 cannot read Chromium 156's trace in six diagnostics (docs/theme.md,
        # "Audits"), none of them scored; a scored audit that cannot run would hide a failure.
        assert not [a for a in r["errored"] if a["weight"]], (r["name"], r["errored"])
        for category, least in THRESHOLDS.items():
            if r["scores"][category] < least:
                audits = [f"{a['id']} {a['score']} {a['displayValue'] or ''}" for a in r["failing"]
                          if a["category"] == category]
                low.append(f"{r['name']} {category} {r['scores'][category]} < {least}: {audits}")
    assert not low, "\n" + "\n".join(low) + "\n" + scores_markdown(results)
