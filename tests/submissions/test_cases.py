"""Bad input, case by case from cases.yml: the service answers 422 naming every field at fault."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import Running, valid

CASES = yaml.safe_load((Path(__file__).parent / "cases.yml").read_text(encoding="utf-8"))
REPEAT = re.compile(r"^\{(.)\*(\d+)\}$")


def expand(value: Any) -> Any:
    """`{x*201}` stands for 201 x's, so long values stay readable in the file."""
    match = REPEAT.match(value) if isinstance(value, str) else None
    return match.group(1) * int(match.group(2)) if match else value


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_is_refused_with_every_error(shared_service: Running, case: dict[str, Any]) -> None:
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
