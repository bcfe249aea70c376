"""Expressers, one module per category of published record, discovered by name.

A module here declares `CATEGORY` (a category name, or a tuple of them) and
`express(record) -> Prediction`. Adding a category is adding a module: the training and serving
scenarios plug in as `training.py` and `inference.py` without touching the harness. Modules whose
names start with `_` are helpers.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache


@lru_cache(maxsize=None)
def expressers() -> dict:
    """{category: express function} for every expresser module present."""
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        category = getattr(module, "CATEGORY", None)
        express = getattr(module, "express", None)
        if category is None or express is None:
            continue
        for name in (category,) if isinstance(category, str) else tuple(category):
            found[name] = express
    return found
