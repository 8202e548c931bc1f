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
COMMANDS = ("check", "build", "serve", "topic", "promise", "remind", "stats", "desk", "review", "accept", "decline", "pr_summary", "thanks", "formbot", "submissions",
            "publish_notify", "newsletter", "import_", "accreditations")  # reach: docs/reach.md

DESCRIPTION = """\
masthead turns a magazine kept in a Git repository into its website, feeds and leaderboard.

Writing and publishing:
  masthead check              check every story, contributor and setting; fix what it reports
  masthead build              build the site into site/ (atomic: a failed build keeps the old site)
  masthead serve              preview on http://127.0.0.1:8000 with live reload, drafts included
  masthead publish-notify     ping the WebSub hub for the feeds that changed (after a deploy)
  masthead newsletter         make (and --send) the newsletter edition of what was published since the last
  masthead import SITE --from hugo|zola|jekyll|pelican|eleventy|wordpress|ghost   move a site in

Promises ("promised, do it"):
  masthead topic add|list     topics waiting for a volunteer
  masthead promise add|extend|release|list    who writes what, by when
  masthead remind             the digest of due, overdue and quiet promises
  masthead stats funnel       where contributors are on their way

Editors:
  masthead desk               pending submissions, promises, what publishes today
  masthead review|accept|decline BRANCH       the review loop without GitHub
  masthead formbot            the send-text service; `masthead submissions` lists what came in
  masthead accreditations     list and answer press accreditation requests for events

Run `masthead COMMAND --help` for the options and examples of each command.
"""


def command_of(argv: Sequence[str]) -> str | None:
    """The sub-command named in `argv`, if any (the first word that is not an option)."""
    words = iter(argv)
    for word in words:
        if word == "--root":
            next(words, None)
        elif not word.startswith("-"):
            return "import_" if word == "import" else word.replace("-", "_")  # `import` is a keyword
    return None


def parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser. Only the chosen command's module is imported (some pull in
    GitHub, Git or web libraries); without one, all are, for the full help."""
    top = argparse.ArgumentParser(prog="masthead", description=DESCRIPTION,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action="version", version=f"masthead {__version__}")
    add_global_options(top, default=None)
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    chosen = command_of(argv) if argv is not None else None
    quick = chosen in COMMANDS or (argv is not None and "--version" in argv)
    for name in COMMANDS:
        if quick and name != chosen:
            sub.add_parser(name.strip("_").replace("_", "-"))  # a stand-in: that command is not being run
        else:
            importlib.import_module(f"masthead.commands.{name}").register(sub)
    for command in sub.choices.values():  # `masthead check --root X` as well as `masthead --root X check`
        add_global_options(command, default=argparse.SUPPRESS)
    return top


def add_global_options(p: argparse.ArgumentParser, default: object) -> None:
    """The options every command takes, before or after its name. After it, they default to
    SUPPRESS, so an option given before the name is not reset by the sub-command's parser."""
    p.add_argument("--root", metavar="DIR", default=default,
                   help="the magazine's repository (default: the nearest folder up from here "
                        "that holds site_config/magazine.yml)")
    p.add_argument("-v", "--verbose", action="store_true", default=False if default is None else default,
                   help="log what happens, for debugging")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser(argv).parse_args(argv)
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


QUICK_EXIT = ("build", "check")  # batch commands with large heaps and nothing left running


def entry() -> None:
    """The `masthead` command: `main`. The batch commands run as a batch (see heap.py: the
    build's heap is frozen, the process exits without freeing it); the others (serve,
    services, git work) keep Python's usual memory habits and exit with every handler run."""
    from masthead import heap

    if command_of(sys.argv[1:]) in QUICK_EXIT:
        heap.batch_run()
    heap.exit_now(main())


if __name__ == "__main__":
    entry()
