"""Spec registries (hardware, models, storage, CPUs, networks, grids), each loaded on first use.

Each kind is a module `specs/<module>.py` with a dataclass and `from_record(key, record)`, and a
data file `specs/data/<file>.yaml` with one sourced record per item.
"""

from __future__ import annotations

import importlib

from mlsysim.errors import InvalidInputError
from mlsysim.specs.registry import Registry

KINDS: dict[str, tuple[str, str]] = {
    "hardware": ("hardware", "hardware.yaml"),
    "model": ("models", "models.yaml"),
    "storage": ("storage", "storage.yaml"),
    "cpu": ("cpus", "cpus.yaml"),
    "network": ("networks", "networks.yaml"),
    "grid": ("grids", "grids.yaml"),
}
_registries: dict[str, Registry] = {}


def registry(kind: str) -> Registry:
    """The registry of one kind of spec, e.g. registry('hardware')."""
    if kind not in _registries:
        if kind not in KINDS:
            raise InvalidInputError(f"unknown registry {kind!r}; known: {', '.join(KINDS)}")
        module, filename = KINDS[kind]
        build = importlib.import_module(f"mlsysim.specs.{module}").from_record
        _registries[kind] = Registry(kind, filename, build)
    return _registries[kind]


def lookup(kind: str, value, *, parameter: str | None = None):
    """Resolve a spec input: a name (tolerant look-up) or a spec object of that kind."""
    return registry(kind)(value, parameter=parameter or kind)
