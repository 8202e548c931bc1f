"""The `masthead` command: one sub-command per module in `masthead.commands`."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import Sequence

from masthead import __version__
from masthead.domain.problems import ContentError, MastheadError

# Each name is a module in masthead.commands exposing `register(subparsers)`.
COMMANDS = ("check", "build", "serve", "topic", "promise", "remind", "stats", "desk", "review", "accept", "decline", "pr_summary", "formbot", "submissions")

DESCRIPTION = """\
masthead turns a magazine kept in a Git repository into its website, feeds and leaderboard.

Everyday use:
  masthead check              check every story, contributor and setting; fix what it reports
  masthead build              build the site into site/ (atomic: a failed build keeps the old site)
  masthead serve              preview on http://127.0.0.1:8000 with live reload, drafts included

Run `masthead COMMAND --help` for the options of each command.
"""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="masthead", description=DESCRIPTION,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action="version", version=f"masthead {__version__}")
    top.add_argument("--root", metavar="DIR", default=None,
                     help="the magazine's repository (default: the nearest folder up from here "
                          "that holds site_config/magazine.yml)")
    top.add_argument("-v", "--verbose", action="store_true", help="log what happens, for debugging")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"masthead.commands.{name}").register(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "run", None):
        parser().print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except ContentError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except MastheadError as exc:
        print(f"masthead: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("masthead: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
