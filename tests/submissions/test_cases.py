"""Bad input, case by case from cases.yml: a bad submission gets 422 naming every field at
fault; a request that is not a submission at all (broken JSON, deep nesting, wrong types,
foreign origins...) gets its status and a sentence saying what to send, never a 500."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ORIGIN, Running, valid

CASES = yaml.safe_load((Path(__file__).parent / "cases.yml").read_text(encoding="utf-8"))
REPEAT = re.compile(r"\{(.)\*(\d+)\}")


def expand(value: Any) -> Any:
    """`{x*201}` stands for 201 x's, so long values stay readable in the file."""
    if not isinstance(value, str):
        return value
    return REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), value)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_is_refused_with_every_error(shared_service: Running, case: dict[str, Any]) -> None:
    if "raw" in case:
        return check_raw(shared_service, case)
    service = shared_service
    fields = valid(**{k: expand(v) for k, v in case["fields"].items()})
    token = "fresh" if "csrf_token" not in case["fields"] else None
    answer = service.post(fields, token=token)
    assert answer.status_code == 422, answer.text
    got = answer.json()["errors"]
    assert [(e["field"], e["code"]) for e in got] == [(e["field"], e["code"]) for e in case["errors"]]
    for want, have in zip(case["errors"], got):
        assert want["message"] in have["message"], have["message"]
    assert service.svc.store.counts() == {}  # nothing refused is kept
    assert answer.json()["token"]  # and the author gets a fresh token to send again


def check_raw(service: Running, case: dict[str, Any]) -> None:
    raw = case["raw"]
    body = expand(raw["body"]).encode("utf-8") if "body" in raw else raw.get("body_latin1", "").encode("latin-1")
    headers = {"Accept": "application/json", "Origin": ORIGIN, **raw.get("headers", {})}
    if "content_type" in raw:
        headers["Content-Type"] = raw["content_type"]
    request = service.client.build_request(raw.get("method", "POST"), service.url + raw.get("path", "submissions"),
                                           content=body if raw.get("method", "POST") == "POST" else None,
                                           headers=headers)
    answer = service.client.send(request)
    assert answer.status_code == case["status"], answer.text[:300]
    said = answer.json()["error"] if answer.headers.get("content-type", "").startswith("application/json") \
        else answer.text
    assert case["error"] in said, said
    assert service.client.get(service.url + "health").status_code == 200  # and the service is still up
