"""A stand-in for `curl` in simulated runs: addresses on the simulated Pages site are answered
from what the last deploy put there; anything else fails as curl does when a host is unreachable.
Only the options the workflows use are understood (-f -s -S -L, --max-time N, -o FILE)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    out: str | None = None
    url: str | None = None
    args = iter(argv)
    for arg in args:
        if arg == "-o":
            out = next(args)
        elif arg == "--max-time":
            next(args)
        elif not arg.startswith("-"):
            url = arg
    site, live = os.environ["CURL_STUB_PAGES_URL"].rstrip("/"), Path(os.environ["CURL_STUB_LIVE"])
    if url is None or not url.startswith(site + "/"):
        print(f"curl: (6) Could not resolve host in {url!r}", file=sys.stderr)
        return 6
    source = live / url[len(site) + 1:]
    if not source.is_file():
        print("curl: (22) The requested URL returned error: 404", file=sys.stderr)
        return 22
    if out is None:
        sys.stdout.buffer.write(source.read_bytes())
    else:
        shutil.copyfile(source, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
