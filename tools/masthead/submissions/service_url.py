"""Where the /send/ page posts: read at site build time, without the service's full settings
(which need pydantic; a site build should not)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from masthead.sources.frontmatter import parse_yaml_file

FILE = "site_config/submissions.yml"
ENV_PREFIX = "MASTHEAD_SUBMISSIONS_"
DEFAULT_SERVICE_URL = "http://127.0.0.1:8001/"


def form_urls(root: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Where the /send/ page posts and asks for its token: `service_url` from the environment,
    else from site_config/submissions.yml, else the local default."""
    environ = os.environ if environ is None else environ
    data: dict[str, object] = {}
    if (root / FILE).is_file():
        data.update(parse_yaml_file(FILE, (root / FILE).read_bytes()).data or {})
    if environ.get(ENV_PREFIX + "SERVICE_URL") is not None:
        data["service_url"] = environ[ENV_PREFIX + "SERVICE_URL"]
    url = str(data.get("service_url") or DEFAULT_SERVICE_URL)
    url = url if url.endswith("/") else url + "/"
    return {"action": url + "submissions", "token_url": url + "submissions/token"}
