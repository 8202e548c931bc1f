"""Plain data to JSON and back, for the build state (`state.py`).

JSON keeps only strings, numbers, lists and string-keyed objects; the state also holds
tuples (compared with `==` against this run's), dicts with other keys, dates, time zones,
enums and the domain's dataclasses. Each is written as a one-key object naming its kind.
Decoding builds nothing but these kinds and the dataclasses and enums defined in the modules
of `ALLOWED`: a state file can make masthead construct a `Story`, never call anything else.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import json
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ALLOWED = ("masthead.domain.stories", "masthead.domain.problems", "masthead.domain.contributors",
           "masthead.domain.site", "masthead.domain.promises", "masthead.domain.magazine",
           "masthead.domain.newsletter", "masthead.domain.events", "masthead.sources.records",
           "masthead.domain.images")


class BadState(ValueError):
    """A stored value that is not what `dumps` writes."""


class Unencodable(TypeError):
    """A value of a kind the state does not keep."""


_classes: dict[str, type] = {}


def _registry() -> dict[str, type]:
    if not _classes:
        for name in ALLOWED:
            module = importlib.import_module(name)
            for value in vars(module).values():
                if (isinstance(value, type) and value.__module__ == name
                        and (dataclasses.is_dataclass(value) or issubclass(value, enum.Enum))):
                    _classes[f"{name}:{value.__qualname__}"] = value
    return _classes


def _name(cls: type) -> str:
    name = f"{cls.__module__}:{cls.__qualname__}"
    if _registry().get(name) is not cls:
        raise Unencodable(f"{name} is not a kind the build state keeps")
    return name


def _zone(tz: tzinfo | None) -> Any:
    if tz is None:
        return None
    if isinstance(tz, ZoneInfo):
        return tz.key
    if isinstance(tz, timezone):
        offset = tz.utcoffset(None)
        return [offset.total_seconds(), None if tz is timezone.utc else tz.tzname(None)]
    raise Unencodable(f"time zone {tz!r}")


def _unzone(value: Any) -> tzinfo | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise BadState(f"unknown time zone {value!r}") from exc
    seconds, name = value
    if name is None:
        return timezone(timedelta(seconds=seconds))
    return timezone(timedelta(seconds=seconds), str(name))


def encode(value: Any) -> Any:
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    if kind is list:
        return [encode(v) for v in value]
    if kind is tuple:
        return {"t": [encode(v) for v in value]}
    if kind is dict:
        return {"d": [[encode(k), encode(v)] for k, v in value.items()]}
    if kind in (frozenset, set):
        return {"fs" if kind is frozenset else "s": [encode(v) for v in sorted(value, key=repr)]}
    if kind is datetime:
        return {"dt": [value.replace(tzinfo=None).isoformat(), _zone(value.tzinfo), value.fold]}
    if kind is date:
        return {"date": value.isoformat()}
    if isinstance(value, tzinfo):
        return {"tz": _zone(value)}
    if isinstance(value, enum.Enum):
        return {"e": [_name(kind), encode(value.value)]}
    if dataclasses.is_dataclass(value):
        return {"c": [_name(kind), {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}]}
    raise Unencodable(f"{kind.__qualname__} values are not kept in the build state")


def decode(value: Any) -> Any:
    if type(value) is list:
        return [decode(v) for v in value]
    if type(value) is not dict:
        return value
    if len(value) != 1:
        raise BadState("an object with other than one key")
    (tag, inner), = value.items()
    try:
        return _DECODERS[tag](inner)
    except KeyError as exc:
        raise BadState(f"unknown kind {tag!r}") from exc
    except (TypeError, ValueError, AttributeError) as exc:
        raise BadState(f"bad {tag!r} value: {exc}") from exc


def _dataclass(inner: Any) -> Any:
    name, fields = inner
    cls = _registry().get(name)
    if cls is None or not dataclasses.is_dataclass(cls):
        raise BadState(f"{name!r} is not a kind the build state keeps")
    known = {f.name for f in dataclasses.fields(cls)}
    if set(fields) != known:
        raise BadState(f"{name}: fields {sorted(set(fields) ^ known)} differ")
    obj = object.__new__(cls)  # as stored, like a copy: no __init__ or __post_init__ runs
    for key, raw in fields.items():
        object.__setattr__(obj, key, decode(raw))
    return obj


def _enum(inner: Any) -> Any:
    name, raw = inner
    cls = _registry().get(name)
    if cls is None or not issubclass(cls, enum.Enum):
        raise BadState(f"{name!r} is not a kind the build state keeps")
    return cls(decode(raw))


def _datetime(inner: Any) -> datetime:
    text, zone, fold = inner
    return datetime.fromisoformat(str(text)).replace(tzinfo=_unzone(zone), fold=int(fold))


_DECODERS: dict[str, Any] = {
    "t": lambda inner: tuple(decode(v) for v in inner),
    "d": lambda inner: {_hashable(decode(k)): decode(v) for k, v in inner},
    "fs": lambda inner: frozenset(_hashable(decode(v)) for v in inner),
    "s": lambda inner: {_hashable(decode(v)) for v in inner},
    "dt": _datetime,
    "date": lambda inner: date.fromisoformat(str(inner)),
    "tz": _unzone,
    "e": _enum,
    "c": _dataclass,
}


def _hashable(key: Any) -> Any:
    hash(key)  # TypeError (a list as a key) becomes BadState in `decode`
    return key


def dumps(value: Any) -> str:
    return json.dumps(encode(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def loads(text: str) -> Any:
    try:
        return decode(json.loads(text))
    except ValueError as exc:
        raise BadState(str(exc)) from exc
    except RecursionError as exc:
        raise BadState("nested too deeply") from exc
