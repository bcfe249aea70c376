"""Published measurements to validate against: load `data/published.json` into `Record`s.

`data/held_back.json` holds more records of the same kinds, from the same sources, that were never
looked at while the physics and its constants were chosen: the check that the model generalizes.

Each record is one published number (a measured throughput, a table entry, a grid intensity)
with the configuration needed to predict it and the source it comes from. A few values are
ranges ("1 MB - 4 GB"); `bounds` gives both ends in the record's unit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from mlsysim.errors import InvalidInputError, UnknownNameError

_REQUIRED = ("id", "category", "quantity", "value", "unit", "source")
# The dimension of a range's ends, from the first word of the record's unit.
_RANGE_DIMENSIONS = {"bytes": "bytes", "seconds": "time", "s": "time", "W": "power"}
_RANGE = re.compile(r"^\s*(?P<low>.+?)\s+(?:-|–|to)\s+(?P<high>.+?)\s*$")


@dataclass(frozen=True)
class Record:
    """One published measurement and where it comes from."""

    id: str
    category: str
    quantity: str
    value: Any
    unit: str
    source: str
    config: Mapping[str, Any] = field(default_factory=dict)
    location: str = ""
    source_url: str = ""
    verified: bool = False
    notes: str = ""

    @property
    def bounds(self) -> tuple[float, float]:
        """(low, high) in the record's unit; equal for a single number."""
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float, str)):
            raise InvalidInputError(f"{self.id}: published value {self.value!r} is not a number")
        if isinstance(self.value, (int, float)):
            return float(self.value), float(self.value)
        match = _RANGE.match(self.value)
        dimension = _RANGE_DIMENSIONS.get(self.unit.split()[0] if self.unit else "")
        if match is None or dimension is None:
            raise InvalidInputError(f"{self.id}: published value {self.value!r} is not a number or a range")
        from mlsysim.units import parse

        low, high = (parse(match[end], dimension) for end in ("low", "high"))
        return float(low), float(high)

    @property
    def is_range(self) -> bool:
        low, high = self.bounds
        return low != high

    @property
    def documents(self) -> str:
        """Everything that names where the number comes from, for matching against spec sources."""
        return " ".join([self.source, self.location, self.source_url])


def from_dict(data: Mapping[str, Any]) -> Record:
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise InvalidInputError(f"validation record {data.get('id', '?')!r} lacks {', '.join(missing)}")
    return Record(id=str(data["id"]), category=str(data["category"]), quantity=str(data["quantity"]),
                  value=data["value"], unit=str(data["unit"]), source=str(data["source"]),
                  config=dict(data.get("config") or {}), location=str(data.get("location_in_source", "")),
                  source_url=str(data.get("source_url") or ""), verified=bool(data.get("verified", False)),
                  notes=str(data.get("notes", "")))


@lru_cache(maxsize=None)
def _load_shipped(name: str = "published.json") -> tuple[Record, ...]:
    text = resources.files("mlsysim.validation").joinpath("data", name).read_text("utf-8")
    return tuple(from_dict(item) for item in json.loads(text))


def load(path: str | None = None) -> list[Record]:
    """Every record: the shipped table, or a JSON list of records at `path`."""
    if path is None:
        return list(_load_shipped())
    with open(path, encoding="utf-8") as handle:
        return [from_dict(item) for item in json.load(handle)]


def load_held_back() -> list[Record]:
    """The held-back records: never used to choose a constant, checked the same way."""
    return list(_load_shipped("held_back.json"))


def categories(records: list[Record] | None = None) -> list[str]:
    """The categories present, in order of first appearance."""
    return list(dict.fromkeys(r.category for r in (records if records is not None else load())))


def get(record_id: str, records: list[Record] | None = None) -> Record:
    """One record by id (published or held back); an unknown id suggests the closest ones."""
    records = records if records is not None else load() + load_held_back()
    for record in records:
        if record.id == record_id:
            return record
    raise UnknownNameError("record", record_id, [r.id for r in records], parameter="explain")
