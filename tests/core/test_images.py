"""The image pipeline (docs/images.md): real builds, parsed HTML, images read back with Pillow."""

from __future__ import annotations

import io
import os
import struct
import time
import zlib
from urllib.parse import unquote
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from masthead.domain.images import CARD_SIZE, WIDTHS, widths_for
from masthead.domain.media import find_media
from masthead.sources.images import FONTS, CardText, covers, ink_pixels, read_exif, social_card
from masthead.sources.magazine import load_magazine
from tests.conftest import Magazine

GPS = 0x8825


def jpeg(width: int = 2000, height: int = 1200, gps: bool = True, colour: tuple[int, int, int] = (200, 90, 40)) -> bytes:
    """A real JPEG with a camera's EXIF block, GPS position included."""
    im = Image.new("RGB", (width, height), colour)
    for x in range(0, width, 50):  # some detail, so encoders have work to do
        im.paste((x % 255, 120, 255 - x % 255), (x, 0, x + 25, height))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 12"
    if gps:
        exif[GPS] = {1: "N", 2: (45.0, 45.0, 36.0), 3: "E", 4: (4.0, 50.0, 24.0)}
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90, exif=exif)
    return buf.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels (a decompression bomb's shape)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def pages(site: Path) -> list[tuple[Path, BeautifulSoup]]:
    return [(p, BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")) for p in site.rglob("*.html")]


def resolve(page: Path, url: str) -> Path:
    return (page.parent / unquote(url.split("#")[0])).resolve()


# --- the sample magazine ---------------------------------------------------------------------


def test_every_img_of_the_sample_has_width_and_height(sample: Path) -> None:
    seen = 0
    for path, soup in pages(sample):
        for img in soup.find_all("img"):
            seen += 1
            assert img.get("width") and img.get("height"), (path, img)
            assert (img.get("loading") == "lazy") != (img.get("fetchpriority") == "high"), (path, img)
    assert seen > 50


def test_pictures_offer_webp_files_of_the_stated_widths(sample: Path) -> None:
    checked = 0
    for path, soup in pages(sample):
        for picture in soup.find_all("picture"):
            types = [s.get("type") for s in picture.find_all("source")]
            assert "image/webp" in types, (path, picture)
            for source in picture.find_all("source"):
                for entry in source["srcset"].split(","):
                    url, width = entry.split()
                    file = resolve(path, url)
                    assert file.is_file(), (path, url)
                    with Image.open(file) as im:
                        assert im.width == int(width.rstrip("w")), (path, url)
                        assert im.format == {"image/webp": "WEBP", "image/avif": "AVIF"}[source["type"]]
                    checked += 1
            img = picture.find("img")
            with Image.open(resolve(path, img["src"])) as im:
                assert (im.width, im.height) == (int(img["width"]), int(img["height"]))
    assert checked > 20


def test_the_lead_is_eager_and_the_rest_lazy(sample: Path) -> None:
    home = BeautifulSoup((sample / "index.html").read_text(encoding="utf-8"), "html.parser")
    # The lead's picture, or (a lead without one) the two pictured stories under it (docs/theme.md).
    first = home.select(".home-lead .card img")
    assert first and all(img["fetchpriority"] == "high" and not img.get("loading") for img in first)
    others = [img for img in home.select(".card img") if img not in first]
    assert others and all(img.get("loading") == "lazy" for img in others)


def test_sample_covers_are_photographs_with_credits(sample: Path) -> None:
    stories = [(p, s) for p, s in pages(sample) if s.select_one("article.story")]
    with_photo = [(p, s) for p, s in stories if s.select_one(".story-cover picture")]
    assert len(with_photo) * 2 > len(stories)
    for path, soup in with_photo:
        assert soup.select_one(".story-cover .credit").get_text(strip=True), path


def test_social_cards_of_the_sample(sample: Path) -> None:
    for path, soup in pages(sample):
        if not soup.select_one("article.story"):
            continue
        og = soup.find("meta", property="og:image")["content"]
        assert soup.find("meta", property="og:image:width")["content"] == "1200"
        assert soup.find("meta", property="og:image:height")["content"] == "630"
        assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
        card = path.parent / og.rsplit("/", 1)[-1]
        with Image.open(card) as im:
            assert im.size == CARD_SIZE


# --- a tiny magazine -------------------------------------------------------------------------


def test_exif_and_gps_are_gone_from_everything_published(magazine: Magazine) -> None:
    magazine.write("content/city/cover.jpg", jpeg())
    magazine.write("content/city/inline.jpg", jpeg(900, 600))
    magazine.write("contributors/avatars/anna.jpg", jpeg(400, 400))
    magazine.write("contributors/anna.yml", "name: Anna Petrova\nroles: [editor, author]\njoined: 2024-01-01\n"
                   "avatar: avatars/anna.jpg\n")
    assert GPS in read_exif(str(magazine.root / "content/city/cover.jpg"))
    magazine.story("city/a.md", "Text.\n\n![A street](inline.jpg)\n", cover="cover.jpg", cover_alt="A street")
    magazine.build()
    site = magazine.root / "site"
    published = [p for p in site.rglob("*") if p.suffix in (".jpg", ".webp", ".avif", ".png")]
    assert len(published) > 15
    for p in published:
        assert read_exif(str(p)) == {}, p
    assert (site / "city/a/cover.jpg").is_file() and (site / "authors/anna/anna.jpg").is_file()


def test_widths_never_upscale() -> None:
    assert widths_for(400) == (400,)
    assert widths_for(1000) == (480, 960, 1000)
    assert widths_for(6000) == WIDTHS
    assert all(w <= 700 for w in widths_for(700))


def test_broken_huge_and_outside_images_are_check_problems(magazine: Magazine, tmp_path: Path) -> None:
    good = jpeg(800, 500)
    magazine.write("content/city/broken.jpg", good[: len(good) // 2])
    magazine.write("content/city/huge.png", png_claiming(8000, 5000))  # 40 megapixels
    outside = tmp_path / "elsewhere.jpg"
    outside.write_bytes(good)
    os.symlink(outside, magazine.root / "content/city/link.jpg")
    magazine.story("city/a.md", "One.\n\nA picture <img src=\"broken.jpg\" alt=\"b\"> mid-paragraph.\n\n"
                   "![Huge](huge.png 'A title')\n\n<picture><source srcset=\"link.jpg 1x\"></picture>\n\n"
                   "<video src=\"missing.mp4\" controls></video>\n")
    _, problems = load_magazine(magazine.root)
    found = {(p.path, p.line, p.code): p for p in problems}
    body = 9  # the body starts on line 10 of the file written by Magazine.story (front matter, blank)
    broken = found[("content/city/a.md", body + 3, "bad-image")]
    assert "truncated or damaged" in broken.message and broken.fix
    huge = found[("content/city/a.md", body + 5, "bad-image")]
    assert "40 megapixels" in huge.message
    assert ("content/city/a.md", body + 7, "path-escape") in found
    missing = found[("content/city/a.md", body + 9, "missing-image")]
    assert "content/city/missing.mp4" in missing.fix


def test_every_image_form_is_checked_copied_and_sized(magazine: Magazine) -> None:
    names = ["md.jpg", "single.jpg", "ref.jpg", "html.jpg", "pic.jpg", "poster.jpg", "my photo.jpg"]
    for n, name in enumerate(names):
        magazine.write(f"content/city/{name}", jpeg(700, 400, colour=(40 * n, 100, 100)))
    magazine.write("content/city/clip.mp4", b"\0\0\0\x18ftypmp42")
    magazine.write("content/city/clip.mp3", b"ID3")
    magazine.story("city/a.md", """\
        ![One](md.jpg "Double") and ![Two](single.jpg 'Single')

        Words ![Three][r] then <img src="html.jpg" alt="Four"> in a paragraph.

        <picture><source srcset="pic.jpg" type="image/jpeg"><img src="pic.jpg" alt="Five"></picture>

        <video src="clip.mp4" poster="poster.jpg" controls></video>

        <audio controls><source src="clip.mp3" type="audio/mpeg"></audio>

        A name with a space: ![Six](<my photo.jpg>)

        [r]: ref.jpg
        """)
    magazine.build()
    site = magazine.root / "site/city/a"
    for name in names + ["clip.mp4", "clip.mp3"]:
        assert (site / name).is_file(), name
    soup = magazine.html("city/a/index.html")
    body = soup.select_one(".story-body")
    imgs = body.find_all("img")
    assert len(imgs) == 6 and all(i.get("width") and i.get("height") for i in imgs)
    assert len(body.find_all("picture")) == 6  # five made, and the author's own
    for source in body.find_all("source", srcset=True):
        for entry in source["srcset"].split(","):
            assert (site / unquote(entry.split()[0])).is_file(), entry
    assert body.find("video")["src"] == "clip.mp4" and body.find("audio").find("source")["src"] == "clip.mp3"


def test_one_story_rebuild_encodes_no_image(magazine: Magazine) -> None:
    magazine.write("content/city/cover.jpg", jpeg())
    magazine.story("city/a.md", "First.\n\n![x](cover.jpg)\n", cover="cover.jpg", cover_alt="x")
    magazine.story("city/b.md", "Other.", title="Another story", cover="cover.jpg", cover_alt="y")
    first = magazine.build()
    assert first.images.made > 5
    magazine.story("city/a.md", "First, corrected.\n\n![x](cover.jpg)\n", cover="cover.jpg", cover_alt="x")
    again = magazine.build()
    assert again.rendered > 0 and again.images.made == 0
    magazine.story("city/b.md", "Other, with a new title.", title="A new title", cover="cover.jpg",
                   cover_alt="y")
    third = magazine.build()
    assert third.images.made == 1  # its social card only: the title changed


def test_social_cards_render_cyrillic_and_hangul(tmp_path: Path) -> None:
    """The title area has ink, and differs from the same card drawn with characters no font has
    (tofu would look alike)."""
    box = (40, 380, 1160, 600)
    for title in ("Рынок на набережной в семь утра", "새벽 네 시의 빵집"):
        out, tofu = str(tmp_path / "card.jpg"), str(tmp_path / "tofu.jpg")
        social_card(out, CardText(title, "Город", "Confluence"), None)
        social_card(tofu, CardText("\u0378" * len(title), "Город", "Confluence"), None)
        with Image.open(out) as im:
            assert im.size == CARD_SIZE
        assert ink_pixels(out, box) > 2000
        with Image.open(out) as a, Image.open(tofu) as b:
            assert a.convert("L").crop(box).tobytes() != b.convert("L").crop(box).tobytes()


def test_the_scanner_is_linear() -> None:
    started = time.process_time()
    for text in ("![" * 1_000_000, "<img " * 400_000, '![a](x "' * 250_000, "![a][" * 400_000 + "\n[a]: x"):
        find_media(text)
    assert time.process_time() - started < 3.0


@pytest.mark.parametrize("text, expected", [
    ("![a](x.jpg 'T')", ["x.jpg"]), ('![a](<my photo.jpg> "T")', ["my photo.jpg"]),
    ("![a][r]\n\n[R]: y.png", ["y.png"]), ("![r]\n\n[r]: <z.png>", ["z.png"]),
    ('<img alt="" src=\'a.png\'>', ["a.png"]), ('<source srcset="a.webp 1x, b.webp 2x">', ["a.webp", "b.webp"]),
    ('<video src="v.mp4" poster="p.jpg">', ["v.mp4", "p.jpg"]), ("[not](an-image.png)", []),
])
def test_every_form_is_found(text: str, expected: list[str]) -> None:
    assert [ref for ref, _ in find_media(text)] == expected


@pytest.mark.skipif(not Path(FONTS[2]).exists(), reason="DejaVu Sans (fonts-dejavu-core) is not installed")
def test_a_font_without_hangul_is_noticed() -> None:
    """Where only DejaVu is installed (no Noto CJK), a Korean title is left off the card
    rather than drawn as empty boxes."""
    from PIL import ImageFont

    dejavu = ImageFont.truetype(FONTS[2], 40)
    assert covers(dejavu, "Рынок на набережной") and not covers(dejavu, "새벽 네 시의 빵집")


def test_one_module_imports_pillow() -> None:
    import ast

    import masthead

    package = Path(masthead.__file__).parent
    users = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "PIL" or n.startswith("PIL.") for n in names):
                users.add(path.relative_to(package).as_posix())
    assert users == {"sources/images.py"}
