"""The MkDocs plugin `masthead`: the one module that imports MkDocs' plugin API.

`mkdocs build -f site_config/mkdocs.yml` and `mkdocs serve` run masthead's own pipeline.
Pages are not handed to MkDocs through `File.generated(...)`: MkDocs renders pages one by
one on one core and re-renders all of them on every build, which costs minutes at 10,000
stories (docs/benchmarks.md). MkDocs keeps what it is good at: configuration, copying plain
files from docs_dir, and the live-reload server; masthead writes every page after it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files

from masthead.domain.problems import ContentError

if TYPE_CHECKING:
    from mkdocs.livereload import LiveReloadServer


class MastheadConfig(Config):
    preview = config_options.Type(bool, default=False)
    root = config_options.Optional(config_options.Type(str))


class MastheadPlugin(BasePlugin[MastheadConfig]):
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = Path(self.config.root or Path(config.config_file_path).parent.parent).resolve()
        return config

    # Late (-100), so other plugins see the Markdown pages before masthead takes them over.
    @event_priority(-100)
    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        return Files([f for f in files if not f.is_documentation_page()])

    # Last (-100): masthead's pages overwrite anything MkDocs wrote at the same paths.
    @event_priority(-100)
    def on_post_build(self, config: MkDocsConfig) -> None:
        build_into(self.root, Path(config.site_dir), self.config.preview, config.site_url)

    # `mkdocs serve`: watch what masthead reads, through system file events (see live_server.py).
    def on_serve(self, server: LiveReloadServer, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        from masthead.site.live_server import event_driven, watch_magazine

        event_driven(server)
        watch_magazine(server, self.root)
        return server


def build_into(root: Path, site_dir: Path, preview: bool, url: str | None) -> None:
    from masthead.site.build import build_site

    try:
        build_site(root, site_dir=site_dir, preview=preview, url=url, direct=True, progress=False)
    except ContentError as exc:
        raise PluginError(str(exc)) from None
    (site_dir / "sitemap.xml.gz").unlink(missing_ok=True)  # MkDocs' own, listing none of our pages
