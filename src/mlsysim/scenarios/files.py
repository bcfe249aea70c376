"""Scenario files: training and serving scenarios (or any wall) declared in YAML, with assertions.

A file holds one run, or a list of them under `runs:`. A run is `training: {inputs}`,
`serving: {inputs}` or `wall: SLUG` with `inputs: {…}`, and may carry `assert:` constraints
on its outputs ("p99_latency <= 2 s", "mfu >= 35%"). A file may also add or override specs
(`hardware:`, `models:`, `storage:`, `cpus:`, `networks:`, `grids:`) in the registries' own
record format, sources required. `mlsysim schema` prints the file's JSON Schema
(`scenarios/file_schema.py`); `mlsysim run FILE` runs it.

Every mistake is one line, `FILE:LINE: field: message`. The YAML is composed with PyYAML's
SafeLoader (no Python objects, ever) into nodes that keep their line numbers; an error raised
while a run is evaluated is traced back to its key through the exception's `.parameter`.
"""

from __future__ import annotations

import importlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from mlsysim.errors import InvalidInputError, MlsysimError, suggest
from mlsysim.scenarios.file_schema import (FILE_KEYS, OPERATORS, RECORD_KINDS, RUN_KEYS, TARGET_KEYS, Lines,
                                           ScenarioFileError, kind_of, parse_assertion, read)


@dataclass(frozen=True)
class Assertion:
    """`output op limit`, the limit in SI (or a name, or a yes/no), and where it was written."""

    expression: str
    output: str
    op: str
    limit: Any
    path: tuple


@dataclass
class Run:
    name: str
    target_name: str  # "training", "serving" or the wall's slug
    target: Any  # the Wall (scenarios are walls too)
    inputs: dict
    inputs_path: tuple
    assertions: list[Assertion]
    description: str = ""


@dataclass
class ScenarioFile:
    path: str
    description: str
    records: dict[str, list]  # registry kind -> specs to add
    runs: list[Run]
    lines: Lines


@dataclass
class Check:
    assertion: Assertion
    value: Any
    passed: bool


@dataclass
class Outcome:
    run: Run
    result: Any
    checks: list[Check] = field(default_factory=list)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def to_dict(self) -> dict:
        from mlsysim.walls.result import to_json

        return {"name": self.run.name, "target": self.run.target_name, "result": self.result.to_dict(),
                "assertions": [{"expression": c.assertion.expression, "value": to_json(c.value),
                                "passed": c.passed} for c in self.checks]}


def run(path) -> list[Outcome]:
    """Load, check and evaluate a scenario file; raises `ScenarioFileError` on any mistake."""
    return evaluate(load(path))


def load(path) -> ScenarioFile:
    """Read and check a scenario file (structure, names, value types, specs and assertions)."""
    data, lines = read(path)
    if not isinstance(data, dict):
        raise lines.error((), f"expected a mapping with runs: or one run, got {kind_of(data)}")
    _check_keys(data, (), FILE_KEYS + RUN_KEYS, lines)
    shorthand = [k for k in data if k in RUN_KEYS and k != "description"]
    if "runs" in data and shorthand:
        raise lines.error((shorthand[0],), "give either runs: (a list) or one run's keys at the top, not both")
    records = {kind: _records(data.get(key), (key,), kind, lines)
               for key, kind in RECORD_KINDS.items() if key in data}
    if "runs" in data:
        items = data["runs"]
        if not isinstance(items, list) or not items:
            raise lines.error(("runs",), f"expected a non-empty list of runs, got {kind_of(items)}")
        runs = [_run(item, ("runs", i), lines) for i, item in enumerate(items)]
    elif shorthand:
        runs = [_run({k: data[k] for k in shorthand}, (), lines)]
    else:
        raise lines.error((), "no run: give runs: (a list), or training:, serving: or wall: at the top")
    _name_runs(runs, lines)
    return ScenarioFile(lines.file, _text(data.get("description", ""), ("description",), lines), records, runs, lines)


def _check_keys(mapping: dict, path: tuple, allowed, lines: Lines) -> None:
    for key in mapping:
        if key not in allowed:
            hint = suggest(str(key), allowed)
            guess = f"; did you mean {hint[0]!r}?" if hint else f"; expected one of: {', '.join(allowed)}"
            raise lines.error(path + (key,), f"unknown key {key!r}{guess}")


def _text(value, path, lines) -> str:
    if not isinstance(value, str):
        raise lines.error(path, f"expected a string, got {kind_of(value)}")
    return value


def _records(raw, path: tuple, kind: str, lines: Lines) -> list:
    from mlsysim.specs import KINDS

    if not isinstance(raw, dict):
        raise lines.error(path, f"expected a mapping of {kind} records by key, got {kind_of(raw)}")
    build = importlib.import_module(f"mlsysim.specs.{KINDS[kind][0]}").from_record
    specs = []
    for key, record in raw.items():
        where = path + (key,)
        if not isinstance(record, dict):
            raise lines.error(where, f"expected a {kind} record (a mapping of fields), got {kind_of(record)}")
        try:
            specs.append(build(str(key), record))
        except InvalidInputError as error:
            raise _record_error(lines, where, str(key), str(error), error.parameter, record) from None
    return specs


def _record_error(lines: Lines, where: tuple, key: str, message: str, parameter, record: dict):
    """'h.peak.bf16: must be positive' from a record becomes hardware.h.peak.bf16, at that line."""
    location, _, rest = message.partition(": ")
    if rest and (location == key or location.startswith(key + ".")):
        parts = tuple(p for p in location[len(key) + 1:].split(".") if p)
        if not parts and parameter in record:
            parts = (parameter,)
        return lines.error(where + parts, rest)
    return lines.error(where, message)


def _run(item, path: tuple, lines: Lines) -> Run:
    from mlsysim.scenarios import get, resolve

    if not isinstance(item, dict):
        raise lines.error(path, f"expected a run (a mapping with training:, serving: or wall:), got {kind_of(item)}")
    _check_keys(item, path, RUN_KEYS, lines)
    given = [k for k in TARGET_KEYS if k in item]
    if len(given) != 1:
        found = f" (got {' and '.join(given)})" if given else ""
        raise lines.error(path, f"a run needs exactly one of training:, serving: or wall:{found}")
    key = given[0]
    if key == "wall":
        name = item["wall"]
        if isinstance(name, bool) or not isinstance(name, (str, int)):
            raise lines.error(path + ("wall",), f"expected a wall's slug or number, got {kind_of(name)}")
        try:
            target = resolve(name)
        except InvalidInputError as error:
            raise lines.error(path + ("wall",), _strip(str(error), error.parameter)) from None
        inputs_path, raw, target_name = path + ("inputs",), item.get("inputs", {}), target.slug
    else:
        if "inputs" in item:
            raise lines.error(path + ("inputs",), f"inputs: is for wall runs; put this run's inputs under {key}:")
        target, inputs_path, raw, target_name = get(key), path + (key,), item[key], key
    inputs = _inputs(target, raw, inputs_path, lines)
    assertions = _assertions(target, item.get("assert", []), path + ("assert",), lines)
    name = _text(item.get("name", ""), path + ("name",), lines)
    description = _text(item.get("description", ""), path + ("description",), lines)
    return Run(name, target_name, target, inputs, inputs_path, assertions, description)


def _inputs(target, raw, path: tuple, lines: Lines) -> dict:
    if not isinstance(raw, dict):
        raise lines.error(path, f"expected a mapping of {target.slug} inputs, got {kind_of(raw)}")
    _check_keys(raw, path, [*target.inputs, *target.aliases], lines)
    for name, value in raw.items():
        spec = target.input(name)
        numeric_ok = spec.is_numeric and isinstance(value, (int, float, str))
        if isinstance(value, bool) or not (numeric_ok or isinstance(value, str)):
            sweep = " (one value per run; `mlsysim sweep` takes lists)" if isinstance(value, list) else ""
            raise lines.error(path + (name,), f"expected {_expected(spec)}, got {kind_of(value)}{sweep}")
    return dict(raw)


def _expected(spec) -> str:
    from mlsysim.units import DIMENSIONS

    if spec.dimension in ("count", "number"):
        return "a number"
    if spec.is_numeric:
        return f"a number or a string with a unit (e.g. '{DIMENSIONS[spec.dimension].example.split(' or ')[0]}')"
    if spec.dimension == "choice":
        return f"one of: {', '.join(spec.choices)}"
    return f"a {spec.dimension} name" if spec.dimension != "text" else "a string"


def _assertions(target, raw, path: tuple, lines: Lines) -> list[Assertion]:
    if isinstance(raw, str):
        return [_assertion(target, raw, path, lines)]
    if not isinstance(raw, list):
        raise lines.error(path, f"expected a list of constraints such as 'time <= 30 days', got {kind_of(raw)}")
    return [_assertion(target, text, path + (i,), lines) for i, text in enumerate(raw)]


def _assertion(target, text, path: tuple, lines: Lines) -> Assertion:
    try:
        output, op, limit = parse_assertion(target, text)
    except InvalidInputError as error:
        raise lines.error(path, str(error)) from None
    return Assertion(text.strip(), output, op, limit, path)


def _name_runs(runs: list[Run], lines: Lines) -> None:
    seen: dict[str, int] = {}
    for i, r in enumerate(runs):
        if r.name and r.name in seen:
            raise lines.error(("runs", i, "name"), f"run name {r.name!r} is already used by run {seen[r.name] + 1}")
        seen[r.name or f"\0{i}"] = i
    targets = [r.target_name for r in runs]
    for i, r in enumerate(runs):
        if not r.name:
            name = r.target_name if targets.count(r.target_name) == 1 else f"{r.target_name}-{i + 1}"
            r.name = name if name not in seen else f"{name}-run{i + 1}"


def evaluate(scenario: ScenarioFile) -> list[Outcome]:
    """Evaluate every run (the file's specs registered while it runs) and check its assertions."""
    with registered(scenario.records):
        outcomes = [_evaluate(scenario, r) for r in scenario.runs]
    return outcomes


def _evaluate(scenario: ScenarioFile, r: Run) -> Outcome:
    lines = scenario.lines
    inputs = _with_custom_specs(r, scenario.records)
    try:
        result = r.target(**inputs)
    except MlsysimError as error:
        parameter = getattr(error, "parameter", None)
        known = parameter if parameter in r.target.inputs else None
        # The file may name the input by an alias: point at the key it used.
        parameter = next((k for k in r.inputs if r.target.aliases.get(k) == parameter), parameter)
        where = r.inputs_path + ((parameter,) if parameter in r.inputs else ())
        shown = r.inputs_path + ((known,) if known else ())
        raise lines.error(where, _strip(str(error), known, r.target.slug), field_path=shown,
                          exit_code=error.exit_code) from None
    return Outcome(r, result, [_check(lines, a, result) for a in r.assertions])


def _with_custom_specs(r: Run, records: dict[str, list]) -> dict:
    """Names of the file's own specs are passed as the spec objects, so no registry alias can shadow them."""
    from mlsysim.specs.registry import normalize

    inputs = dict(r.inputs)
    for name, value in inputs.items():
        for spec in records.get(r.target.input(name).dimension, []):
            if isinstance(value, str) and normalize(value) == normalize(spec.key):
                inputs[name] = spec
    return inputs


def _check(lines: Lines, a: Assertion, result) -> Check:
    value = result.outputs.get(a.output)
    if hasattr(value, "item") and getattr(value, "size", 1) == 1:
        value = value.item()
    if value is None:
        raise lines.error(a.path, f"{a.expression!r}: {a.output} has no value in this run (an input it needs, "
                                  f"such as a price or a rate, is not given)")
    if isinstance(a.limit, bool):
        passed = bool(value) == a.limit if a.op == "==" else bool(value) != a.limit
    elif isinstance(a.limit, str):
        same = str(value).lower() == a.limit.lower()
        passed = same if a.op == "==" else not same
    else:
        passed = bool(OPERATORS[a.op](float(value), a.limit))
    return Check(a, value, passed)


@contextmanager
def registered(records: dict[str, list]):
    """Add the file's specs to the registries (replacing same-named ones), then restore them.

    Registries have no removal API, so their tables are saved and put back: running a file must
    not change what `ms.hardware("h100")` means for the rest of the process.
    """
    from mlsysim.specs import registry

    saved = []
    try:
        for kind, specs in records.items():
            table = registry(kind)
            saved.append((table, dict(table._load()), dict(table._index)))
            for spec in specs:
                table.add(spec, replace=True)
        yield
    finally:
        for table, items, index in saved:
            table._items.clear()
            table._items.update(items)
            table._index.clear()
            table._index.update(index)


def _strip(message: str, *prefixes) -> str:
    """Drop a leading 'name: ' that the located error's field already says."""
    for prefix in prefixes:
        if prefix and message.startswith(f"{prefix}: "):
            return message[len(prefix) + 2:]
    return message


__all__ = ["run", "load", "evaluate", "registered", "ScenarioFile", "Run", "Outcome", "Check", "Assertion",
           "ScenarioFileError", "Lines", "read"]
