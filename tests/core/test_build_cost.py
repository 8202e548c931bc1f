"""The build's cost split (issue 15's speed budget): CPU by stage, and what pictures, social
cards, highlighting and search cost, as `masthead -v build` logs it and benchmarks/run.py reads it."""

from __future__ import annotations

import importlib.util
import multiprocessing
import re
import sys
from pathlib import Path

import pytest

from masthead.site import highlight
from tests.conftest import Magazine
from tests.core.test_images import jpeg

ROOT = Path(__file__).resolve().parents[2]
CODE = "```python\nimport csv\n\nwith open('budget.csv') as fh:\n    rows = list(csv.DictReader(fh))\n```\n"


def benchmark_cost_re() -> re.Pattern[str]:
    """The pattern benchmarks/run.py reads the build's cost line with."""
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_run", module)
    spec.loader.exec_module(module)
    return module.COST_RE  # type: ignore[no-any-return]


def _highlight_in_child(code: str) -> float:
    highlight.highlighted("python", code)
    return highlight.cpu_seconds()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="the counter is shared by fork")
def test_highlighting_in_a_forked_worker_is_counted_in_the_parent() -> None:
    before = highlight.cpu_seconds()
    code = "".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(400))  # not highlighted before
    with multiprocessing.get_context("fork").Pool(1) as pool:
        in_child = pool.apply(_highlight_in_child, (code,))
    assert in_child > before
    assert highlight.cpu_seconds() == pytest.approx(in_child)  # the parent sees the child's time


def test_a_build_reports_what_images_cards_highlighting_and_search_cost(magazine: Magazine) -> None:
    magazine.write("content/city/photo.jpg", jpeg(1200, 800, gps=False))
    magazine.story("city/a.md", "Words.\n\n![A street](photo.jpg)\n\n" + CODE, cover="photo.jpg",
                   cover_alt="A street")
    magazine.story("city/b.md", "Other words.", title="Another story")
    report = magazine.build()
    cpu = report.cpu
    for stage in ("load", "plan", "derive", "pages", "search", "publish", "total"):
        assert cpu[stage] >= 0.0, stage
    assert cpu["images"] > 0 and cpu["social_cards"] > 0  # measured in the image workers
    assert cpu["highlighting"] > 0
    assert cpu["search"] > 0  # Pagefind's processes are waited for, so counted
    assert cpu["total"] >= cpu["derive"] + cpu["search"] - 0.05
    assert cpu["derive"] >= cpu["images"] + cpu["social_cards"] - 0.05
    m = benchmark_cost_re().search(report.cost_split())
    assert m is not None, report.cost_split()
    assert float(m.group("social_cards")) == pytest.approx(cpu["social_cards"], abs=0.01)
    assert "total" in m.group("stages")
    again = magazine.build(clean=False)  # nothing changed: no image, card or block made again
    assert again.fresh or (again.cpu.get("images", 0.0) == 0.0 and again.cpu.get("social_cards", 0.0) == 0.0)
