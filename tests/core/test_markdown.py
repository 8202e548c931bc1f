"""Story bodies: GitHub's Markdown, admonitions, sanitising, and no memory left behind."""

from __future__ import annotations

import cmarkgfm

from masthead.site.markdown import OPTIONS, render_markdown, rewrite_story_links
from masthead.site.cmark import to_html

TEXT = "# T\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\nSee [x](../culture/p.md#top). ~~no~~ http://example.org\n\n- [x] done\n"


def rss_kb() -> int:
    with open("/proc/self/status") as fh:
        return int(fh.read().split("VmRSS:")[1].split("kB")[0])


def test_same_html_as_cmarkgfm_itself() -> None:
    assert to_html(TEXT, OPTIONS) == cmarkgfm.github_flavored_markdown_to_html(TEXT, options=OPTIONS)


def test_rendering_frees_what_cmark_allocates() -> None:
    body = TEXT * 200  # about 20 KB of Markdown
    for _ in range(50):
        to_html(body, OPTIONS)
    before = rss_kb()
    for _ in range(1000):
        to_html(body, OPTIONS)
    # cmarkgfm's own wrapper keeps ~67 KB per call of a story this size: 60+ MB here
    assert rss_kb() - before < 8_000


def test_both_admonition_syntaxes() -> None:
    html = render_markdown('> [!WARNING]\n> Mind.\n\n!!! tip "Read"\n    Inside.\n', title_of=str.upper)
    assert '<blockquote class="admonition warning" role="note">' in html and ">WARNING</p>" in html
    assert '<div class="admonition tip">' in html and ">Read</p>" in html


def test_admonition_markers_inside_code_stay_code() -> None:
    html = render_markdown("```\n!!! note\n    not one\n```\n")
    assert "admonition" not in html and "!!! note" in html


def test_untrusted_html_is_cleaned() -> None:
    html = render_markdown('[x](javascript&#58;alert(1)) <img src=x onerror=alert(1)> <script>1</script>')
    assert "javascript" not in html.lower() and "onerror" not in html and "<script" not in html


def test_a_body_without_markup_is_cleaned_too() -> None:
    # the old shortcut let text with no `<` and no entity skip the cleaner; this escaped colon
    # then became a live javascript: link
    html = render_markdown("[x](javascript\\:alert(document.domain))")
    assert "javascript:" not in html.lower()


def test_heading_anchors_keep_every_script() -> None:
    html = render_markdown("## Привет, мир\n\n## 안녕 세상\n\n## Привет, мир\n\n## हिन्दी भाषा\n")
    assert 'id="привет-мир"' in html and 'id="안녕-세상"' in html and 'id="привет-мир-1"' in html
    assert 'id="हिन्दी-भाषा"' in html  # combining marks kept, as GitHub keeps them


def test_links_to_story_files_become_addresses() -> None:
    html = render_markdown(TEXT)
    out = rewrite_story_links(html, "city", {"culture/p.md": "culture/p/"}.get, "../../")
    assert 'href="../../culture/p/#top"' in out
