"""The service's settings: declared once here, read from `site_config/submissions.yml`, then
overridden by environment variables `MASTHEAD_SUBMISSIONS_<FIELD>` (upper case).

docs/send-text.md shows this table, and a test checks that every field is documented there.
Secrets never sit in a file: `token_env` and `secret_env` name the variables that hold them.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Annotated, Literal, Mapping
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from masthead.domain.problems import ContentError, Problem
from masthead.sources.frontmatter import parse_yaml_file
from masthead.sources.load import site_url

from .clients import parse_networks
from .service_url import DEFAULT_SERVICE_URL, ENV_PREFIX, FILE, form_urls  # noqa: F401 - form_urls re-exported

LIST_FIELDS = ("allowed_origins",)


class ServiceFields(BaseModel):
    """`site_config/submissions.yml` and the `MASTHEAD_SUBMISSIONS_*` variables."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    service_url: Annotated[str, Field(pattern=r"^https?://\S+$", description=(
        "public address of the service; the /send/ page posts to <service_url>submissions"))] = \
        DEFAULT_SERVICE_URL
    site_url: Annotated[str, Field(pattern=r"^(https?://\S+)?$", description=(
        "the site's address as readers reach it, for the service's own pages (the receipt's styles "
        "and links back to the site); default: site_url in mkdocs.yml; the demo sets the local address"))] = ""
    allowed_origins: Annotated[list[str], Field(description=(
        "origins (scheme://host[:port]) allowed to post; default: the origin of site_url"))] = []
    data_dir: Annotated[str, Field(description=(
        "folder of the private store (submissions.sqlite3, the form secret); must be outside the "
        "repository; default: $XDG_STATE_HOME/masthead/<repository name>-<hash>"))] = ""
    backend: Annotated[Literal["local", "github"], Field(description=(
        "where submissions go: 'local' (branches in a Git repository) or 'github' (pull requests)"))] = "local"
    repository: Annotated[str, Field(description=(
        "local: path of the Git repository (default: the magazine's own); github: owner/name"))] = ""
    base_branch: Annotated[str, Field(min_length=1, description="the branch submissions start from")] = "main"
    push_remote: Annotated[str, Field(description=(
        "local backend: a remote to push each new branch to (e.g. origin); empty: no push"))] = ""
    github_api_url: Annotated[str, Field(pattern=r"^https?://\S+$", description=(
        "GitHub's REST API (GitHub Enterprise: https://HOST/api/v3)"))] = "https://api.github.com"
    token_env: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description=(
        "name of the environment variable holding the GitHub token"))] = "MASTHEAD_GITHUB_TOKEN"
    secret_env: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description=(
        "name of the environment variable holding the secret that signs form tokens; when unset, "
        "a random secret is kept in data_dir"))] = "MASTHEAD_FORM_SECRET"
    min_fill_seconds: Annotated[float, Field(ge=0, le=600, description=(
        "a form sent sooner than this after it was opened is refused (bots fill forms instantly)"))] = 3.0
    token_max_age: Annotated[int, Field(ge=60, le=7 * 86400, description=(
        "seconds a form token stays valid"))] = 86400
    rate_limit: Annotated[str, Field(min_length=3, description=(
        "posts allowed per client address, e.g. '10/minute;60/hour'"))] = "10/minute;60/hour"
    max_body_bytes: Annotated[int, Field(ge=10_000, le=1_000_000, description=(
        "largest request body accepted; larger gets 413"))] = 1_000_000
    max_attempts: Annotated[int, Field(ge=1, le=100, description=(
        "delivery attempts before a submission is marked failed"))] = 10
    retry_base_seconds: Annotated[float, Field(ge=0, le=3600, description=(
        "first retry delay; it doubles with every attempt"))] = 5.0
    retry_max_seconds: Annotated[float, Field(ge=0, le=86400, description="longest retry delay")] = 3600.0
    workers: Annotated[int, Field(ge=1, le=16, description="delivery threads")] = 2
    refresh_seconds: Annotated[float, Field(ge=1, le=86400, description=(
        "how often submissions in review are checked for published or declined"))] = 300.0
    contact_days: Annotated[int, Field(ge=1, le=3650, description=(
        "contact addresses are deleted this many days after the submission arrived"))] = 180
    forwarded_allow_ips: Annotated[str, Field(description=(
        "addresses or networks of reverse proxies whose X-Forwarded-For is trusted, comma-separated; "
        "the right-most address not in this list is the client; empty: the header is ignored"))] = ""
    receipt_rate_limit: Annotated[str, Field(min_length=3, description=(
        "receipt lookups allowed per client address, e.g. '60/minute;600/hour'"))] = "60/minute;600/hour"
    check_seconds: Annotated[float, Field(gt=0, le=60, description=(
        "time budget for reading and checking one submission (off the event loop, queueing included); "
        "over it, 503"))] = 10.0
    check_workers: Annotated[int, Field(ge=1, le=16, description=(
        "worker processes that read and check submissions (parsing, cleaning, escaping); beyond 64 "
        "waiting checks, 503"))] = 2

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxies(cls, spec: str) -> str:
        parse_networks(spec)
        return spec

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
                raise ValueError(f"'{origin}' is not an origin; write it as https://example.org")
        return [o.rstrip("/") for o in origins]


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _from_env(environ: Mapping[str, str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in ServiceFields.model_fields:
        value = environ.get(ENV_PREFIX + name.upper())
        if value is not None:
            out[name] = [v.strip() for v in value.split(",") if v.strip()] if name in LIST_FIELDS else value
    return out


def _default_data_dir(repository: Path, environ: Mapping[str, str]) -> Path:
    state = Path(environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    tag = hashlib.blake2b(str(repository.resolve()).encode(), digest_size=4).hexdigest()
    return state / "masthead" / f"{repository.resolve().name}-{tag}"


def _problems(exc: ValidationError, source: str) -> list[Problem]:
    out = []
    for err in exc.errors():
        field = ".".join(str(x) for x in err["loc"])
        where = f"{source} or {ENV_PREFIX}{field.split('.')[0].upper()}"
        msg = err["msg"].removeprefix("Value error, ")
        out.append(Problem(where, 0, field, msg, found=repr(err.get("input"))[:60], code=err["type"]))
    return out


def load_service_settings(root: Path, environ: Mapping[str, str] | None = None) -> ServiceFields:
    """The settings, every problem reported at once (ContentError) when some are wrong."""
    environ = os.environ if environ is None else environ
    data: dict[str, object] = {}
    problems: list[Problem] = []
    path = root / FILE
    if path.is_file():
        parsed = parse_yaml_file(FILE, path.read_bytes())
        problems += parsed.problems
        data.update(parsed.data or {})
    data.update(_from_env(environ))
    try:
        fields = ServiceFields.model_validate(data)
    except ValidationError as exc:
        raise ContentError(problems + _problems(exc, FILE)) from None
    if problems:
        raise ContentError(problems)
    return _with_defaults(fields, root, environ)


def _with_defaults(fields: ServiceFields, root: Path, environ: Mapping[str, str]) -> ServiceFields:
    repository = fields.repository or (str(root) if fields.backend == "local" else "")
    if fields.backend == "github" and "/" not in repository:
        raise ContentError([Problem(FILE, 0, "repository", "the github backend needs the repository as owner/name",
                                    found=repr(repository), fix="set repository: owner/name", code="missing")])
    site = fields.site_url or site_url(root)
    site = site if site.endswith("/") else site + "/"
    origins = fields.allowed_origins or [origin_of(site)]
    repo_path = Path(repository) if fields.backend == "local" else root
    data_dir = Path(fields.data_dir).expanduser() if fields.data_dir else _default_data_dir(repo_path, environ)
    guarded = {root.resolve(), repo_path.resolve()}
    if any(data_dir.resolve() == r or r in data_dir.resolve().parents for r in guarded):
        raise ContentError([Problem(FILE, 0, "data_dir", "the private store must be outside the repository",
                                    found=str(data_dir), fix="choose a folder outside the repository, "
                                    "so contact addresses can never be committed", code="data-dir-inside")])
    service_url = fields.service_url if fields.service_url.endswith("/") else fields.service_url + "/"
    return fields.model_copy(update={"repository": repository, "allowed_origins": origins, "site_url": site,
                                     "data_dir": str(data_dir), "service_url": service_url})
