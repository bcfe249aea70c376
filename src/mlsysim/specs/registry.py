"""A registry of sourced specs loaded lazily from a YAML file shipped in the package.

Look-ups are tolerant — case, spaces, hyphens, underscores and a leading vendor name do not
matter ("h100", "NVIDIA H100 SXM", "H100-SXM") — and a miss suggests the closest names.
Every record names its source (document or URL, and a date); a record whose numbers have no
source fails to load.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Generic, TypeVar

from mlsysim.errors import InvalidInputError, UnknownNameError

T = TypeVar("T")


@dataclass(frozen=True)
class Source:
    """Where a number comes from: a document title or URL, a date, and where in the document."""

    title: str
    date: str
    url: str = ""
    location: str = ""

    @classmethod
    def from_record(cls, where: str, data: Any) -> Source:
        if isinstance(data, str):
            raise InvalidInputError(f"{where}: a source needs a title and a date, got only {data!r}")
        if not isinstance(data, Mapping) or not data.get("title") or not data.get("date"):
            raise InvalidInputError(f"{where}: a source needs 'title' and 'date', got {data!r}")
        return cls(str(data["title"]), str(data["date"]), str(data.get("url", "")),
                   str(data.get("location", "")))

    def __str__(self) -> str:
        parts = [self.title, self.location, self.url, self.date]
        return ", ".join(p for p in parts if p)


def read_sources(key: str, record: Mapping[str, Any], numeric_fields: list[str]) -> dict[str, Source]:
    """The source of every numeric field: its own entry in `sources`, else the record's `source`."""
    default = record.get("source")
    base = Source.from_record(f"{key}.source", default) if default is not None else None
    own = {name: Source.from_record(f"{key}.sources.{name}", data)
           for name, data in (record.get("sources") or {}).items()}
    sources = {}
    for field in numeric_fields:
        source = own.get(field, base)
        if source is None:
            raise InvalidInputError(f"{key}.{field}: a number without a source; add 'source' to the "
                                    f"record or sources.{field}")
        sources[field] = source
    return sources


def normalize(name: str) -> str:
    return re.sub(r"[^a-z0-9.]", "", str(name).lower())


class Registry(Generic[T]):
    """Named specs of one kind, e.g. `mlsysim.hardware`. Call it with a name to look one up."""

    def __init__(self, kind: str, filename: str, build: Callable[[str, Mapping[str, Any]], T]):
        self.kind, self.filename, self._build = kind, filename, build
        self._items: dict[str, T] | None = None
        self._index: dict[str, str] = {}
        self.version = 0  # bumped by every `add`, so caches built from `all()` know when to rebuild

    def _load(self) -> dict[str, T]:
        if self._items is None:
            import yaml

            text = resources.files("mlsysim.specs").joinpath("data", self.filename).read_text("utf-8")
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            records = yaml.load(text, Loader=loader) or {}
            items: dict[str, T] = {}
            for key, record in records.items():
                items[str(key)] = self._build(str(key), record)
            self._items = items
            for key, item in items.items():
                self._index_item(key, item)
        return self._items

    def _index_item(self, key: str, item: T) -> None:
        name = getattr(item, "name", key)
        vendor = getattr(item, "vendor", "") or ""
        names = [key, name, *getattr(item, "aliases", ())]
        names += [vendor + " " + n for n in names if vendor]
        for n in names:
            self._index.setdefault(normalize(n), key)

    def __call__(self, name: str | T, *, parameter: str | None = None) -> T:
        """Look up a spec by name (tolerantly), or pass a spec object straight through."""
        items = self._load()
        if not isinstance(name, str):
            if isinstance(name, self._spec_type()):
                return name
            raise InvalidInputError(f"{parameter or self.kind}: expected a {self.kind} name or spec, "
                                    f"got {type(name).__name__}", parameter=parameter)
        key = self._index.get(normalize(name))
        if key is None:
            key = self._index.get(normalize(name.split(" ", 1)[-1])) if " " in name.strip() else None
        if key is None:
            raise UnknownNameError(self.kind, name, self.names(), parameter=parameter or self.kind)
        return items[key]

    def _spec_type(self) -> type:
        items = self._load()
        return type(next(iter(items.values()))) if items else object

    def names(self) -> list[str]:
        """Every key, in file order."""
        return list(self._load())

    def all(self) -> list[T]:
        return list(self._load().values())

    def add(self, item: T, *, replace: bool = False) -> T:
        """Register a custom spec under its `key` (e.g. from a scenario file)."""
        items = self._load()
        key = getattr(item, "key")
        if key in items and not replace:
            raise InvalidInputError(f"{self.kind} {key!r} already exists; pass replace=True to override it")
        items[key] = item
        self._index_item(key, item)
        self.version += 1
        return item

    def __iter__(self) -> Iterator[T]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self._load())

    def __contains__(self, name: object) -> bool:
        self._load()
        return isinstance(name, str) and normalize(name) in self._index

    def __repr__(self) -> str:
        return f"<Registry {self.kind}: {len(self)} entries>"
