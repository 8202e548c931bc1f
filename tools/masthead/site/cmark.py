"""cmark-gfm, GitHub's Markdown renderer, without the leak of cmarkgfm's convenience wrappers.

`cmarkgfm.github_flavored_markdown_to_html` never frees the parsed tree nor the rendered
string (about 67 KB lost per 1,100-word story here; 134 MB per 2,000 stories), which made a
10,000-story build grow past 1 GB and would make `masthead serve` grow without end. We drive
the same C functions, and free both with the library's own `cmark_node_free` and libc's
`free` (cmark's default allocator is calloc/free), reached through ctypes.
"""

from __future__ import annotations

import ctypes

from cmarkgfm import _cmark
from cmarkgfm.cmark import core_extensions_ensure_registered

# no "tagfilter": it escapes <script>, <style>, <iframe>... into text readers would see; the
# sanitiser (site/markdown.py) drops those elements whole instead
EXTENSIONS = (b"table", b"autolink", b"strikethrough", b"tasklist")

_lib, _ffi = _cmark.lib, _cmark.ffi
_so = ctypes.CDLL(_cmark.__file__)
_so.cmark_node_free.argtypes = [ctypes.c_void_p]
_libc = ctypes.CDLL(None)
_libc.free.argtypes = [ctypes.c_void_p]
_ready = False


def _address(pointer: object) -> int:
    return int(_ffi.cast("uintptr_t", pointer))


def to_html(text: str, options: int) -> str:
    """GitHub Flavored Markdown to HTML, freeing everything cmark allocated."""
    global _ready
    if not _ready:
        core_extensions_ensure_registered()
        _ready = True
    parser = _lib.cmark_parser_new(options)
    try:
        for name in EXTENSIONS:
            _lib.cmark_parser_attach_syntax_extension(parser, _lib.cmark_find_syntax_extension(name))
        data = text.encode("utf-8")
        _lib.cmark_parser_feed(parser, data, len(data))
        root = _lib.cmark_parser_finish(parser)
        try:
            raw = _lib.cmark_render_html(root, options, _lib.cmark_parser_get_syntax_extensions(parser))
            try:
                return _ffi.string(raw).decode("utf-8")
            finally:
                _libc.free(_address(raw))
        finally:
            _so.cmark_node_free(_address(root))
    finally:
        _lib.cmark_parser_free(parser)
