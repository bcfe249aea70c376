"""Scenarios: whole jobs composed from the walls — a training run and a serving deployment.

Each scenario is a Wall with domain "composition" (so sweeps, sensitivity, solving, the CLI
and docs work on it as on any wall); `TrainingJob` and `ServingDeployment` are the friendly
front doors: keep the inputs, `.evaluate()` when asked.
"""

from __future__ import annotations

import importlib

from mlsysim.errors import UnknownNameError

_SCENARIOS = {"training": ("mlsysim.scenarios.training", "TRAINING"),
              "serving": ("mlsysim.scenarios.serving", "SERVING")}
_ALIASES = {"training-job": "training", "serving-deployment": "serving", "train": "training", "serve": "serving"}


def get(name: str):
    """A scenario by name: 'training' or 'serving'."""
    key = str(name).strip().lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    if key not in _SCENARIOS:
        raise UnknownNameError("scenario", name, _SCENARIOS, parameter="scenario")
    module, attribute = _SCENARIOS[key]
    return getattr(importlib.import_module(module), attribute)


def names() -> list[str]:
    return list(_SCENARIOS)


def resolve(name):
    """Anything wall-like by name: a wall (number or slug) first, else a scenario.

    'serving' is Wall 4; the serving scenario is 'serving-deployment' (or 'serve').
    """
    from mlsysim.walls import get as wall

    try:
        return wall(name)
    except UnknownNameError:
        try:
            return get(name)
        except UnknownNameError:
            raise UnknownNameError("wall or scenario", name, target_names(), parameter="target") from None


def target_names() -> list[str]:
    """Every wall slug, then every scenario slug."""
    from mlsysim.walls import all_walls

    return [w.slug for w in all_walls()] + [get(n).slug for n in _SCENARIOS]


class Job:
    """Inputs of a scenario, kept until evaluated; the same analysis tools as a wall."""

    scenario_name = ""

    def __init__(self, **inputs):
        self.scenario = get(self.scenario_name)
        for name in inputs:
            self.scenario.input(name)  # an unknown name fails now, with a suggestion
        self.inputs = dict(self.scenario.canonical(inputs))

    def evaluate(self, invalid: str = "raise"):
        return self.scenario(invalid=invalid, **self.inputs)

    def sweep(self, invalid: str = "raise", **axes):
        return self.scenario.sweep(invalid=invalid, **{**self.inputs, **axes})

    def sensitivity(self, output: str | None = None, params=None, **changes):
        return self.scenario.sensitivity(output=output, params=params, at={**self.inputs, **changes})

    def solve(self, output: str, target, vary: str, **changes):
        return self.scenario.solve(output, target, vary, **{**self.inputs, **changes})

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.inputs.items())
        return f"{type(self).__name__}({shown})"


class TrainingJob(Job):
    """A training run: `ms.TrainingJob(model=, hardware=, devices=, tokens=, tp=, pp=, …).evaluate()`."""

    scenario_name = "training"


class ServingDeployment(Job):
    """A serving deployment: `ms.ServingDeployment(model=, hardware=, devices=, batch=, rate=, …).evaluate()`."""

    scenario_name = "serving"
