#!/usr/bin/env python3
"""Benchmark corpora: the shared synthetic magazine as a masthead repository and as a Hugo site.

The stories come from `shared/bench/gen_corpus.py` (the generator the build-speed anchors
were measured with), so masthead and Hugo build exactly the text the anchors used.

masthead format
    `gen_corpus.py --format masthead` writes `content/<Section>/<yyyy>/<slug>.md` and
    `contributors/<handle>.yml`.  Its front matter matches our content model except that
    sections are written capitalised ("News"), while a section id is lower-case and must be
    listed in `site_config/magazine.yml`.  The converter therefore
      * lower-cases the `section:` line of every story's front matter,
      * writes `site_config/magazine.yml` (the eight sections, languages en/ru/fr/ko, UTC).
    Files that follow the project rather than the corpus are put in each time a corpus is
    used (`install_project_files`), so a cached corpus always builds with the current ones:
      * the project's `theme/` (templates, assets, translations: `masthead build` reads
        `<root>/theme`),
      * the project's `site_config/mkdocs.yml`, or a minimal one (site_name, site_url
        https://masthead.example.org/, plugins [masthead]),
      * the project's stand-alone pages, `site_config/pages/*.md` (About, How to contribute).
    `masthead build` reads Git history (the day each story reached `main`), so the corpus is a
    Git repository on `main` with one commit per story, dated like the story (made with
    `git fast-import`, in story order), after a first commit with the settings and
    contributors.
    The folders keep their capitalised names: a story may sit at any depth below
    `content/` and its address comes from its front matter, so the folder names never reach
    the site; the relative links between stories (`../../Letters/2022/x.md`) stay valid
    as generated, and `gen_corpus.touch_story` still finds the files.

hugo format
    The scaffold from `shared/bench/scaffold/hugo` plus `gen_corpus.py --format hugo`,
    exactly as `shared/bench/run_anchors.py` prepares it.

pictures (`--pictures`, the benchmark's default; issue 15)
    The stories get photographs: five of the sample magazine's own (`PHOTOS`, from
    `content/`, licences in content/CREDITS.txt), copied into the corpus when it is made
    (nothing new is committed to the project). The body's remote image
    (`https://media.example.org/masthead/photos/<k>.jpg`) becomes one of them, next to the
    story, and most stories (seven in eight, the newest always) get one as their cover.
    masthead: the photos are copied into every folder holding stories. Hugo: they are put in
    `content/posts/` as resources of the section (`_index.md`), which every story reaches
    through `.CurrentSection.Resources`, and the site is built with benchmarks/hugo/ (the
    shared scaffold plus highlighting, image processing and social cards: see
    benchmarks/README.md) instead of the shared scaffold.

Usage (stand-alone, for trying the build on a corpus by hand):
    python benchmarks/corpus.py --n 1000 --out /tmp/mag-1000           # masthead repository
    python benchmarks/corpus.py --n 1000 --format hugo --out /tmp/hugo-1000
    python benchmarks/corpus.py --n 1000 --pictures --out /tmp/mag-1000-pictures
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
DEFAULT_SEED = 20240601
LANGUAGES = ["en", "ru", "fr", "ko"]
SITE_URL = "https://masthead.example.org/"
# Bump when the converter's output changes, so cached corpora are made again.
CONVERTER_VERSION = 4

# (file in the sample's content/, cover_alt, cover_credit): five photographs, all public domain or CC0
PHOTOS = (
    ("work/night-sky.jpg", "Thousands of galaxies in a dark night sky",
     "Photo: NASA, Hubble eXtreme Deep Field, public domain (scikit-image sample data)"),
    ("letters/coffee.jpg", "A cup of coffee on a saucer",
     "Photo: Rachel Michetti, CC0 (scikit-image sample data)"),
    ("city/camera.jpg", "A photographer with a camera on a tripod",
     "Photo: Lav Varshney, CC0 (scikit-image sample data)"),
    ("letters/chelsea.jpg", "A tabby cat looking to the side",
     "Photo: Stefan van der Walt, CC0 (scikit-image sample data)"),
    ("world/brick.jpg", "A weathered brick wall",
     "Photo: CC0 Textures (Bricks25), CC0 (scikit-image sample data)"),
)
REMOTE_PHOTO_RE = re.compile(r"\]\(https://media\.example\.org/masthead/photos/(\d+)\.jpg\)")
HUGO_SCAFFOLD = HERE / "hugo"  # the shared scaffold adapted for pictures, highlighting and cards
CARD_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")  # Latin and Cyrillic (Debian)

SECTION_LINE_RE = re.compile(r"^section:[ \t]*(.+?)[ \t]*$", re.M)
DATE_LINE_RE = re.compile(r"^date:[ \t]*(.+?)[ \t]*$", re.M)
AUTHORS_LINE_RE = re.compile(r"^authors:[ \t]*\[?\"?([^\",\]]+)", re.M)
GITIGNORE = "/site/\n/.site.masthead/\n/.site.masthead.swap/\n/.masthead-cache/\n"
# No e-mail addresses anywhere, Git metadata included.
GIT_ENV = {"GIT_AUTHOR_NAME": "benchmark", "GIT_AUTHOR_EMAIL": "", "GIT_COMMITTER_NAME": "benchmark",
           "GIT_COMMITTER_EMAIL": "", "GIT_CONFIG_NOSYSTEM": "1"}


def git(root: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, **GIT_ENV}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"benchmark: git {' '.join(args)} failed in {root}:\n{done.stderr}")
    return done.stdout


def shared_dir(explicit: str | None = None) -> Path:
    """`shared/bench`: --shared, then $MASTHEAD_BENCH_SHARED, then ../shared/bench beside the project."""
    candidates = [explicit, os.environ.get("MASTHEAD_BENCH_SHARED"), str(PROJECT.parent / "shared" / "bench")]
    for c in candidates:
        if c and (Path(c) / "gen_corpus.py").is_file():
            return Path(c).resolve()
    tried = ", ".join(str(c) for c in candidates if c)
    raise SystemExit(f"benchmark: gen_corpus.py not found (tried {tried}); "
                     "pass --shared DIR or set MASTHEAD_BENCH_SHARED to the folder holding gen_corpus.py")


def load_generator(shared: Path) -> ModuleType:
    """Import gen_corpus.py from shared/ (for touch_story and make_story)."""
    spec = importlib.util.spec_from_file_location("gen_corpus", shared / "gen_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_corpus", module)
    spec.loader.exec_module(module)
    return module


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else "-"


def _run_generator(shared: Path, fmt: str, n: int, seed: int, out: Path) -> None:
    cmd = [sys.executable, str(shared / "gen_corpus.py"), "--n", str(n), "--seed", str(seed),
           "--format", fmt, "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"benchmark: gen_corpus.py failed ({done.returncode}):\n{done.stderr}")


# --------------------------------------------------------------------------
# masthead
# --------------------------------------------------------------------------
def split_front_matter(text: str) -> tuple[str, str] | None:
    """('---\\n...\\n---\\n', body) or None when the file has no front matter."""
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 4)
    if end < 0:
        return None
    return text[: end + 5], text[end + 5:]


def convert_story_text(text: str) -> str:
    """Lower-case the story's section id; everything else already fits the content model."""
    parts = split_front_matter(text)
    if parts is None:
        return text
    head, body = parts
    head = SECTION_LINE_RE.sub(lambda m: "section: " + m.group(1).strip().strip("'\"").lower(), head, count=1)
    return head + body


def magazine_yml(sections: list[str]) -> str:
    lines = [
        "# Written by benchmarks/corpus.py for the synthetic benchmark corpus (shared/bench/gen_corpus.py).",
        'title: "Masthead benchmark"',
        'tagline: "A synthetic magazine for build-speed measurements"',
        'description: "Stories generated by gen_corpus.py; the same text every run."',
        "language: en",
        f"languages: [{', '.join(LANGUAGES)}]",
        "timezone: UTC",
        "sections:",
    ]
    for name in sections:
        lines += [f"  - id: {name.lower()}", f"    title: {json.dumps(name)}",
                  f"    description: {json.dumps(f'{name} from the synthetic corpus.')}"]
    lines += ["per_page: 10", "feed_items: 20", "feed_content: full"]
    return "\n".join(lines) + "\n"


def mkdocs_yml() -> str:
    """The project's own mkdocs.yml when it has one (so the corpus builds like the sample
    magazine), else the minimum: name, address and the masthead plugin."""
    own = PROJECT / "site_config" / "mkdocs.yml"
    if own.is_file():
        return own.read_text(encoding="utf-8")
    return ("# Written by benchmarks/corpus.py (the project has no site_config/mkdocs.yml).\n"
            "site_name: Masthead benchmark\n"
            f"site_url: {SITE_URL}\n"
            "plugins:\n"
            "  - masthead\n")


def convert_masthead(out: Path, gen: ModuleType) -> dict[str, int]:
    """Make a `gen_corpus --format masthead` tree a valid masthead repository, in place."""
    changed = 0
    for path in sorted((out / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        new = convert_story_text(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    config = out / "site_config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "magazine.yml").write_text(magazine_yml(list(gen.SECTIONS)), encoding="utf-8")
    return {"stories_converted": changed}


# --------------------------------------------------------------------------
# Pictures (issue 15)
# --------------------------------------------------------------------------
def photo_names() -> list[str]:
    return [Path(rel).name for rel, _, _ in PHOTOS]


def photo_sources() -> list[Path]:
    """The sample magazine's photographs the corpus uses (they must be there)."""
    found = [PROJECT / "content" / rel for rel, _, _ in PHOTOS]
    missing = [str(f) for f in found if not f.is_file()]
    if missing:
        raise SystemExit(f"benchmark: the sample magazine's photographs are missing: {', '.join(missing)}")
    return found


def story_pictures(text: str, force_cover: bool = False) -> tuple[int, int | None] | None:
    """(body photo, cover photo or None) for a generated story, chosen from its remote image's
    number (so the same story gets the same pictures in both formats); None without one."""
    m = REMOTE_PHOTO_RE.search(text)
    if m is None:
        return None
    k = int(m.group(1))
    with_cover = force_cover or (k // len(PHOTOS)) % 8 != 7  # seven stories in eight
    return k % len(PHOTOS), ((k // len(PHOTOS) + 1) % len(PHOTOS) if with_cover else None)


def with_pictures(text: str, fields: tuple[str, str, str], force_cover: bool = False) -> str:
    """The story with its body photo local and, if chosen, a cover: `fields` names the
    front-matter keys of cover, alt text and credit."""
    chosen = story_pictures(text, force_cover)
    parts = split_front_matter(text)
    if chosen is None or parts is None:
        return text
    body_photo, cover = chosen
    head, body = parts
    body = REMOTE_PHOTO_RE.sub(f"]({photo_names()[body_photo]})", body, count=1)
    if cover is not None:
        _, alt, credit = PHOTOS[cover]
        key, alt_key, credit_key = fields
        head = (head[:-4] + f"{key}: {photo_names()[cover]}\n{alt_key}: {json.dumps(alt)}\n"
                f"{credit_key}: {json.dumps(credit)}\n---\n")
    return head + body


MASTHEAD_COVER = ("cover", "cover_alt", "cover_credit")
HUGO_COVER = ("cover", "coverAlt", "coverCredit")


def newest_story(paths: list[Path]) -> Path | None:
    dated = []
    for path in paths:
        m = DATE_LINE_RE.search(path.read_text(encoding="utf-8")[:2000])
        if m:
            dated.append((_epoch(m.group(1)), str(path), path))
    return max(dated)[2] if dated else None


def put_photos(folder: Path) -> None:
    """The corpus' photographs in `folder` (copied; kept if there)."""
    for source in photo_sources():
        if not (folder / source.name).exists():
            shutil.copyfile(source, folder / source.name)


def masthead_pictures(out: Path) -> dict[str, int]:
    """Give a masthead corpus its pictures, in place (see the module's docstring)."""
    stories = sorted((out / "content").rglob("*.md"))
    newest = newest_story(stories)
    covers = 0
    for path in stories:
        text = path.read_text(encoding="utf-8")
        new = with_pictures(text, MASTHEAD_COVER, force_cover=path == newest)
        covers += new.count("\ncover: ")
        path.write_text(new, encoding="utf-8")
    for folder in sorted({p.parent for p in stories}):
        put_photos(folder)
    return {"stories": len(stories), "covers": covers}


def hugo_pictures(out: Path) -> dict[str, int]:
    """Give a Hugo corpus its pictures: the photos in `content/posts/`, resources of that
    section's branch bundle (`_index.md`), which every story finds through
    `.CurrentSection.Resources` (Hugo's way to share pictures among pages, the counterpart of
    masthead's photos in the folder of the stories; each processed copy is then made and
    published once, the fastest a Hugo site can do it); the cards' font and plain card
    background in assets/."""
    posts_dir = out / "content" / "posts"
    index = posts_dir / "_index.md"
    if not index.exists():
        index.write_text("---\ntitle: Posts\n---\n", encoding="utf-8")
    put_photos(posts_dir)
    (out / "assets" / "fonts").mkdir(parents=True, exist_ok=True)
    if CARD_FONT.is_file():
        shutil.copyfile(CARD_FONT, out / "assets" / "fonts" / "card.ttf")
    from PIL import Image  # masthead's own dependency; the card of a story without a cover

    Image.new("RGB", (1200, 630), "#1c1b19").save(out / "assets" / "card-blank.jpg", quality=82)
    posts = sorted(p for p in posts_dir.glob("*.md") if p.name != "_index.md")
    newest = newest_story(posts)
    covers = 0
    for path in posts:
        text = path.read_text(encoding="utf-8")
        new = with_pictures(text, HUGO_COVER, force_cover=path == newest)
        covers += new.count("\ncover: ")
        path.write_text(new, encoding="utf-8")
    return {"stories": len(posts), "covers": covers}


def _epoch(date_text: str) -> int:
    moment = dt.datetime.fromisoformat(date_text.strip().strip("'\""))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)  # the corpus' time zone
    return int(moment.timestamp())


def init_git_history(root: Path) -> int:
    """Make `root` a Git repository on `main`: one commit with everything but the stories,
    then one commit per story, in date order, dated like the story. Returns the commit count."""
    (root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    stories = []
    for path in (root / "content").rglob("*.md"):
        raw = path.read_bytes()
        head = split_front_matter(raw.decode("utf-8"))
        m = DATE_LINE_RE.search(head[0]) if head else None
        a = AUTHORS_LINE_RE.search(head[0]) if head else None
        stories.append((_epoch(m.group(1)) if m else 0, path.relative_to(root).as_posix(),
                        a.group(1).strip() if a else "benchmark", raw))
    stories.sort()
    base = [p for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.relative_to(root).parts
            and (p.relative_to(root).parts[0] != "content" or p.suffix != ".md")]  # photos go in here too
    first = min((t for t, *_ in stories), default=1_640_000_000) - 86400 * 30
    out = bytearray()

    def commit(when: int, who: str, message: str, files: list[tuple[str, bytes]]) -> None:
        """One fast-import commit on main (each continues from the one before)."""
        msg = message.encode()
        out.extend(b"commit refs/heads/main\n")
        out.extend(f"author {who} <> {when} +0000\ncommitter {who} <> {when} +0000\n".encode())
        out.extend(b"data %d\n%s\n" % (len(msg), msg))
        for rel, data in files:
            out.extend(b"M 100644 inline %s\ndata %d\n%s\n" % (rel.encode(), len(data), data))

    commit(first, "benchmark", "Settings and contributors",
           [(p.relative_to(root).as_posix(), p.read_bytes()) for p in base])
    for when, rel, who, raw in stories:
        commit(when, who, f"Publish {rel}", [(rel, raw)])
    done = subprocess.run(["git", "-C", str(root), "fast-import", "--quiet"], input=bytes(out),
                          capture_output=True, env={**os.environ, **GIT_ENV})
    if done.returncode != 0:
        raise SystemExit(f"benchmark: git fast-import failed in {root}:\n{done.stderr.decode(errors='replace')}")
    git(root, "reset", "-q")  # the index follows the new history; the work tree already matches it
    return 1 + len(stories)


def commit_all(root: Path, message: str, paths: tuple[str, ...] = (".",)) -> None:
    """Commit what changed below `paths` (the edits of the rebuild measurements, the theme)."""
    git(root, "add", "-A", "--", *paths)
    if git(root, "status", "--porcelain", "--", *paths).strip():
        git(root, "commit", "-q", "--no-verify", "-m", message)


def install_project_files(root: Path) -> None:
    """Put the project's current theme, mkdocs.yml and stand-alone pages into a masthead corpus."""
    theme = root / "theme"
    if theme.exists():
        shutil.rmtree(theme)
    if (PROJECT / "theme").is_dir():
        shutil.copytree(PROJECT / "theme", theme)
    config = root / "site_config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "mkdocs.yml").write_text(mkdocs_yml(), encoding="utf-8")
    pages = config / "pages"
    if pages.exists():
        shutil.rmtree(pages)
    if (PROJECT / "site_config" / "pages").is_dir():
        shutil.copytree(PROJECT / "site_config" / "pages", pages)
    if (root / ".git").is_dir():
        commit_all(root, "Theme, MkDocs settings and pages from the project", ("theme", "site_config"))


def hugo_scaffold(shared: Path, pictures: bool) -> Path:
    return HUGO_SCAFFOLD if pictures else shared / "scaffold" / "hugo"


def corpus_name(fmt: str, n: int, seed: int, pictures: bool) -> str:
    return f"{fmt}-{n}-s{seed}" + ("-pictures" if pictures else "")


def corpus_key(fmt: str, n: int, seed: int, shared: Path, pictures: bool = False) -> dict[str, object]:
    """What a cached corpus depends on; a cache with another key is made again."""
    key: dict[str, object] = {"format": fmt, "n": n, "seed": seed,
                              "gen_corpus": _digest(shared / "gen_corpus.py"), "converter": CONVERTER_VERSION}
    if pictures:
        key["pictures"] = [_digest(p) for p in photo_sources()]
    if fmt == "hugo":
        scaffold = hugo_scaffold(shared, pictures)
        h = hashlib.sha256()
        for p in sorted(scaffold.rglob("*")):
            if p.is_file():
                h.update(str(p.relative_to(scaffold)).encode() + p.read_bytes())
        key["scaffold"] = h.hexdigest()[:16]
    return key


def make_corpus(fmt: str, n: int, seed: int, out: Path, shared: Path, pictures: bool = False) -> None:
    """Write a fresh corpus of `fmt` into `out` (removed first)."""
    if out.exists():
        shutil.rmtree(out)
    if fmt == "masthead":
        out.mkdir(parents=True)
        _run_generator(shared, "masthead", n, seed, out)
        convert_masthead(out, load_generator(shared))
        if pictures:
            masthead_pictures(out)
        init_git_history(out)
    elif fmt == "hugo":
        shutil.copytree(hugo_scaffold(shared, pictures), out)
        _run_generator(shared, "hugo", n, seed, out)
        if pictures:
            hugo_pictures(out)
    else:
        raise ValueError(fmt)


def cached_corpus(fmt: str, n: int, seed: int, cache_root: Path, shared: Path,
                  log=print, pictures: bool = False) -> Path:  # type: ignore[no-untyped-def]
    """The pristine corpus for (fmt, n, seed, pictures) under `cache_root`, generated once and reused."""
    out = cache_root / corpus_name(fmt, n, seed, pictures)
    stamp = cache_root / f"{corpus_name(fmt, n, seed, pictures)}.json"
    key = corpus_key(fmt, n, seed, shared, pictures)
    if out.is_dir() and stamp.is_file():
        try:
            if json.loads(stamp.read_text())["key"] == key:
                return out
        except (ValueError, KeyError):
            pass
    log(f"  generating the {fmt} corpus, N={n} (cached in {out.relative_to(PROJECT) if out.is_relative_to(PROJECT) else out})")
    if stamp.exists():
        stamp.unlink()
    started = dt.datetime.now()
    make_corpus(fmt, n, seed, out, shared, pictures)
    stamp.write_text(json.dumps({"key": key, "made": started.isoformat(timespec="seconds")}, indent=1))
    return out


# --------------------------------------------------------------------------
# Edits for the rebuild measurements
# --------------------------------------------------------------------------
def add_story(root: Path, gen: ModuleType, n: int, seed: int, k: int,
              now: dt.datetime | None = None, pictures: bool = False) -> str:
    """Write a new story (text of story N+k of the generator, dated now, so the newest; with
    `pictures`, its photos and a cover, as the lead has) and return its path relative to `root`."""
    index = n + k
    story = gen.make_story(index, n + k + 1, seed)
    moment = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0) - dt.timedelta(seconds=30)
    story.date = moment.replace(tzinfo=None)  # UTC, the corpus' time zone
    story.slug = f"added-{k}-{story.slug}"[:80].rstrip("-")
    linked = {j: gen.make_story(j, n, seed) for j in story.links}  # render() looks them up by index
    rel = gen.rel_path("masthead", story)
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    text = convert_story_text(gen.render("masthead", story, linked))
    if pictures:
        text = with_pictures(text, MASTHEAD_COVER, force_cover=True)
        put_photos(path.parent)
    path.write_text(text, encoding="utf-8")
    return rel


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, required=True, help="number of stories")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--format", choices=("masthead", "hugo"), default="masthead")
    ap.add_argument("--out", required=True, help="folder to write (replaced if it exists)")
    ap.add_argument("--shared", help="folder holding gen_corpus.py (default: ../shared/bench)")
    ap.add_argument("--pictures", action="store_true", help="give the stories photographs (issue 15)")
    a = ap.parse_args(argv)
    out = Path(a.out).resolve()
    make_corpus(a.format, a.n, a.seed, out, shared_dir(a.shared), a.pictures)
    if a.format == "masthead":
        install_project_files(out)
    print(f"wrote a {a.format} corpus of {a.n} stories to {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
