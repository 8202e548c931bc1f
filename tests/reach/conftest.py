"""Fixtures for the reach tests: a small magazine with a WebSub hub, and a real local HTTP
server standing in for the hub, which records every request it gets."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from urllib.parse import parse_qs

import pytest

from ..conftest import SETTINGS, Magazine

HUB_PATH = "/hub"


@dataclass
class Hub:
    """A WebSub hub on 127.0.0.1 that accepts publish pings and remembers them."""

    url: str
    pings: list[dict[str, list[str]]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # feed addresses answered with 500

    def feeds(self) -> list[str]:
        return sorted(p["hub.url"][0] for p in self.pings)


@pytest.fixture
def hub() -> Iterator[Hub]:
    state = Hub("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the standard library's name
            length = int(self.headers.get("Content-Length", 0))
            form = parse_qs(self.rfile.read(length).decode())
            ok = (self.path == HUB_PATH and self.headers.get("Content-Type") == "application/x-www-form-urlencoded"
                  and form.get("hub.mode") == ["publish"] and len(form.get("hub.url", [])) == 1)
            if ok:
                state.pings.append(form)
            refused = not ok or form["hub.url"][0] in state.refuse
            self.send_response(500 if refused else 204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}{HUB_PATH}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def fill(magazine: Magazine, hub: str = "") -> None:
    """Two sections, two authors, two languages, tags; a story with hostile HTML in its body."""
    magazine.settings({**SETTINGS, "websub_hub": hub} if hub else SETTINGS)
    magazine.story("city/bridge.md", "The bridge opened.\n\n<script>alert(1)</script>\n\n"
                   "[click](javascript:alert(2)) and <a href=\"x\" onclick=\"steal()\">this</a>\n",
                   title="The new bridge", date="2026-11-10 09:00", tags=["river", "Bridges"], authors=["anna"])
    magazine.story("city/market.md", "Stalls by the water.", title="Market days", date="2026-11-12 09:00",
                   tags=["river"], authors=["ben"])
    magazine.story("culture/choir.md", "A choir sings.", title="The choir", date="2026-11-14 09:00",
                   section="culture", tags=["music"], authors=["anna", "ben"])
    magazine.story("city/bridge.ru.md", "Мост открыт.", title="Новый мост", date="2026-11-11 09:00", lang="ru",
                   translation_of="city/bridge.md", tags=["river"])
    magazine.story("city/later.md", "Not yet.", title="Not yet", date="2026-12-20 09:00", tags=["river"])
