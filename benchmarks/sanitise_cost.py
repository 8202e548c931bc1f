#!/usr/bin/env python3
"""What always sanitising story bodies costs, on the shared corpus.

    .venv/bin/python benchmarks/sanitise_cost.py --n 1000 --runs 3

1. Every body of the corpus rendered as the build renders it, timing nh3's `clean` alone.
2. Clean builds (`masthead build`, caches removed), interleaved: as shipped, and with the
   cleaner replaced by the identity (`MASTHEAD_BENCH_NO_CLEAN=1`, read only by this script's
   child), which is the upper bound of what the old pre-filter could save.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CHILD = """
import os, sys
from pathlib import Path
if os.environ.get("MASTHEAD_BENCH_NO_CLEAN"):
    import nh3
    from masthead.site import markdown
    class Identity:
        def clean(self, html): return html
    markdown.CLEANER = Identity()
from masthead.site.build import build_site
build_site(Path(sys.argv[1]), progress=False)
"""


def time_cleaning(root: Path) -> tuple[int, float, float]:
    """(stories, seconds rendering without cleaning, seconds cleaning, bodies the old
    pre-filter would have cleaned anyway) over every body."""
    from masthead.site import markdown
    from masthead.site.cmark import to_html
    from masthead.sources.frontmatter import split_body

    bodies = [split_body(p.read_text(encoding="utf-8")) for p in sorted((root / "content").rglob("*.md"))]
    rendered = []
    start = time.perf_counter()
    for body in bodies:
        html = to_html(markdown.expand_admonitions(body, str.capitalize), markdown.OPTIONS)
        rendered.append(markdown.ALERT_RE.sub(lambda m: markdown._alert(m, str.capitalize), html))
    render = time.perf_counter() - start
    start = time.perf_counter()
    for html in rendered:
        markdown.CLEANER.clean(html)
    clean = time.perf_counter() - start
    risky = ("<", "script:", "data:", "&#", "&colon", "&newline", "&tab")  # the old pre-filter
    cleaned_before = sum(any(mark in body.lower() for mark in risky) for body in bodies)
    return len(bodies), render, clean, cleaned_before


def clean_build(root: Path, no_clean: bool) -> float:
    for name in ("site", ".masthead-cache"):
        shutil.rmtree(root / name, ignore_errors=True)
    env = dict(os.environ, MASTHEAD_BENCH_NO_CLEAN="1" if no_clean else "")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", CHILD, str(root)], check=True, env=env)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from corpus import install_project_files, make_corpus, shared_dir

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        make_corpus("masthead", args.n, 1, root, shared_dir())
        install_project_files(root)
        n, render, clean, before = time_cleaning(root)
        print(f"{n} bodies: cmark {render * 1000:.0f} ms, nh3 clean {clean * 1000:.0f} ms "
              f"({clean / n * 1000:.3f} ms a story); the old pre-filter cleaned {before} of them")
        cleaned, skipped = [], []
        for _ in range(args.runs):
            cleaned.append(clean_build(root, no_clean=False))
            skipped.append(clean_build(root, no_clean=True))
        a, b = statistics.median(cleaned), statistics.median(skipped)
        print(f"clean build, median of {args.runs}: always cleaning {a:.2f} s, never cleaning {b:.2f} s, "
              f"difference {a - b:+.2f} s ({(a - b) / b * 100:+.1f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
