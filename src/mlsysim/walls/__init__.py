"""The registry of walls: one module per law, loaded on first use, ordered by number.

Each module `walls/<slug>.py` defines `WALL`. The table below fixes the order and the module of
every law in the taxonomy; `all_walls()` returns those whose module exists.

`mlsysim.walls` is this package, and it is also the ordered sequence of walls the public API
promises (`for w in ms.walls`, `ms.walls[1]`, `len(ms.walls)`): the module's class is swapped
for one that iterates over `all_walls()`, so the name means one thing however it is reached.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

from mlsysim.errors import UnknownNameError

MODULES: dict[int | None, str] = {
    1: "compute", 2: "memory", 3: "software", 4: "serving", 5: "batching", 6: "streaming",
    7: "tail_latency", 8: "ingestion", 9: "transformation", 10: "locality", 11: "complexity",
    12: "reasoning", 13: "fidelity", 14: "communication", 15: "fragility", 16: "multi_tenant",
    17: "capital", 18: "sustainability", 19: "checkpoint", 20: "safety", 21: "sensitivity",
    22: "synthesis", None: "iron_law",
}
_loaded: dict[str, object] = {}


def _module_exists(module: str) -> bool:
    return importlib.util.find_spec(f"mlsysim.walls.{module}") is not None


def _load(module: str):
    if module not in _loaded:
        _loaded[module] = importlib.import_module(f"mlsysim.walls.{module}").WALL
    return _loaded[module]


_all: tuple | None = None


def all_walls() -> tuple:
    """Every implemented wall in taxonomy order (1 … 22, then the Iron Law)."""
    global _all
    if _all is None:
        _all = tuple(_load(m) for m in MODULES.values() if _module_exists(m))
    return _all


def get(key):
    """A wall by number (2, "2"), slug ("memory", "tail-latency") or module name."""
    if isinstance(key, str) and key.strip().isdigit():
        key = int(key)
    if isinstance(key, int) and not isinstance(key, bool):
        module = MODULES.get(key)
    else:
        text = str(key).strip().lower().replace("_", "-")
        module = text.replace("-", "_") if text.replace("-", "_") in MODULES.values() else None
        if module is None:
            module = next((m for m in MODULES.values() if _slug_alias(m) == text), None)
    if module is None or not _module_exists(module):
        known = [w.slug for w in all_walls()] + [str(w.number) for w in all_walls() if w.number]
        raise UnknownNameError("wall", key, known, parameter="wall")
    return _load(module)


def _slug_alias(module: str) -> str:
    return module.replace("_", "-")


class _WallSequence(types.ModuleType):
    def __iter__(self):
        return iter(all_walls())

    def __len__(self) -> int:
        return len(all_walls())

    def __getitem__(self, index):
        return all_walls()[index]

    def __contains__(self, item) -> bool:
        return item in all_walls()

    def __repr__(self) -> str:
        return f"<mlsysim.walls: {', '.join(w.slug for w in all_walls())}>"


sys.modules[__name__].__class__ = _WallSequence
