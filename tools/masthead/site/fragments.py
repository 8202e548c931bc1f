"""`{% cache key, ... %}...{% endcache %}`: render a template fragment once per key.

A story's card appears on a dozen list pages; the header appears on every page. Rendering
each once per (key, page language, root) and reusing the text makes templates several
times cheaper at magazine scale. The cache lives in the rendering process only.
"""

from __future__ import annotations

from typing import Any, Callable

from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from markupsafe import Markup

LIMIT = 200_000


class FragmentCache(Extension):
    tags = {"cache"}

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self.store: dict[tuple[Any, ...], str] = {}

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        args = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            args.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_cached", [nodes.Tuple(args, "load")]), [], [], body).set_lineno(lineno)

    def _cached(self, key: tuple[Any, ...], caller: Callable[[], str]) -> str:
        hit = self.store.get(key)
        if hit is None:
            if len(self.store) > LIMIT:
                self.store.clear()
            hit = self.store[key] = Markup(caller())
        return hit
