"""`masthead import`: turn an existing site into a masthead magazine (docs/import.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from masthead.domain.problems import UsageError

HELP = """\
Reads an existing site (a Hugo, Zola, Jekyll, Pelican or Eleventy folder, a WordPress WXR
export file or a Ghost JSON export) and writes a masthead magazine into --into: stories with
the images they use, a contributor registry, settings, the theme, and redirects from every
old address (site_config/redirects.yml). It then says what it converted, what it guessed and
what it could not convert, each with the source file and line (also in import-report.txt and
import-report.json). Importing again into the same folder gives the same files.

Then run `masthead check` and `masthead build` in the new folder.

Examples:
  masthead import ../old-blog --from hugo --into ../magazine
  masthead import ../old-blog --from jekyll --into ../magazine --authors authors.yml
  masthead import export.xml --from wordpress --into ../magazine --media ../wp-content/uploads
  masthead import ghost-export.json --from ghost --into ../magazine --media ../ghost/content
  masthead import ../blog --from pelican --into ../magazine --section stories --format json

The --authors file merges spellings of one person and maps teams to their members:
  people:
    ana-ruiz: {name: Ana Ruiz, also: ["A. Ruiz", "ana"]}
  teams:
    "The Editors": [ana-ruiz, tom-ashworth]
  default: ana-ruiz        # who signs stories that name nobody
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from masthead.importers import SOURCES

    p = sub.add_parser("import", help="turn a Hugo, Zola, Jekyll, Pelican, Eleventy, WordPress or Ghost site "
                       "into a magazine", description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", metavar="SOURCE", type=Path, help="the old site's folder, or its export file")
    p.add_argument("--from", dest="kind", required=True, choices=SOURCES, help="what made the old site")
    p.add_argument("--into", metavar="DIR", type=Path, default=Path("magazine"),
                   help="the new magazine's folder (default: ./magazine); new, or an earlier import's")
    p.add_argument("--authors", metavar="MAP.yml", type=Path, default=None,
                   help="spellings of one person and teams, mapped to handles (see above)")
    p.add_argument("--media", metavar="DIR", type=Path, default=None,
                   help="WordPress: a copy of wp-content/uploads; Ghost: the export's content/ folder")
    p.add_argument("--section", metavar="ID", default="", help="put every story in this one section")
    p.add_argument("--format", choices=("text", "json"), default="text", help="how to print the report")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from masthead.importers import FILE_SOURCES, reader
    from masthead.importers.authors import load_map
    from masthead.importers.report import Report
    from masthead.importers.write import write_magazine

    source: Path = args.source
    if args.kind in FILE_SOURCES and not source.is_file():
        raise UsageError(f"{source}: no such export file (--from {args.kind} reads the export file itself)")
    if args.kind not in FILE_SOURCES and not source.is_dir():
        raise UsageError(f"{source}: no such folder (--from {args.kind} reads the site's folder)")
    if args.media is not None and not args.media.is_dir():
        raise UsageError(f"--media {args.media}: no such folder")
    into: Path = args.into
    if into.resolve() == source.resolve() or source.resolve() in into.resolve().parents and args.kind not in FILE_SOURCES:
        raise UsageError(f"--into {into}: choose a folder outside the old site")
    amap = load_map(args.authors)
    report = Report()
    read = reader(args.kind)
    site = read(source, report, args.media)
    write_magazine(site, into, amap, report, args.section)
    print(report.as_json() if args.format == "json" else report.as_text(), end="")
    return 0
