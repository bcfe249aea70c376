"""`mlsysim schema`: the JSON Schema (draft 2020-12) of scenario files, generated from the declarations.

Each wall's and scenario's declared inputs become strict objects (`additionalProperties:
false`): a number in SI units or a string with a unit, an `enum` for choices, a string for
registry names, each described by its meaning and valid range; each registry's record fields
become the schema of an inline spec. Nothing here is written per wall, so the schema cannot
drift from what `mlsysim run` accepts. Editors use it to complete and check files
(`# yaml-language-server: $schema=scenario.schema.json`); the docs' reference page is built from it.
"""

from __future__ import annotations

import importlib

import click

from mlsysim.scenarios.file_schema import RECORD_KINDS

SCHEMA_ID = "urn:mlsysim:schema:scenario-file"  # a name, not a URL: nothing is fetched


def targets() -> list[tuple[str, object, object]]:
    """(file key or wall slug, wall number or None, the wall) for every runnable target."""
    from mlsysim.scenarios import get
    from mlsysim.walls import all_walls

    return [("training", None, get("training")), ("serving", None, get("serving"))] + [
        (w.slug, w.number, w) for w in all_walls()]


def _def(key: str, number) -> str:
    """The $defs prefix of a target: scenario-serving (the scenario) is not wall-serving (Wall 4)."""
    return f"scenario-{key}" if key in ("training", "serving") and number is None else f"wall-{key}"


def schema() -> dict:
    """The JSON Schema (draft 2020-12) of a scenario file."""
    defs: dict = {"source": _source_schema()}
    for kind in RECORD_KINDS.values():
        defs[f"{kind}-record"] = record_schema(kind)
    variants = []
    for key, number, target in targets():
        defs[f"{_def(key, number)}-inputs"] = inputs_schema(target)
        defs[f"{_def(key, number)}-assertion"] = _assertion_schema(target)
        variants.append(_run_variant(key, number, target))
    file_properties = {
        "description": {"type": "string", "description": "what the file shows and where its numbers come from"},
        **{plural: {"type": "object", "description": f"{kind} specs to add (or override, by key), in the "
                    f"registry's record format; every number needs a source",
                    "additionalProperties": {"$ref": f"#/$defs/{kind}-record"}}
           for plural, kind in RECORD_KINDS.items()}}
    runs = {"type": "array", "minItems": 1, "description": "the runs, evaluated in order",
            "items": {"oneOf": variants}}
    several = {"type": "object", "properties": {**file_properties, "runs": runs}, "required": ["runs"],
               "additionalProperties": False}
    single = [{**v, "properties": {**file_properties, **v["properties"]}} for v in variants]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "mlsysim scenario file",
            "description": "Runs of the training and serving scenarios or of any wall, with assertions on their "
                           "outputs: a list under runs:, or one run's keys at the top. Run it with `mlsysim run FILE`.",
            "oneOf": [several, *single], "$defs": defs}


def _run_variant(key: str, number, target) -> dict:
    prefix = _def(key, number)
    common = {"name": {"type": "string", "description": "a label for the run (default: its target)"},
              "description": {"type": "string", "description": "what the run shows"},
              "assert": {"description": "constraints on the run's outputs, each 'OUTPUT OP VALUE' (OP: <=, <, >=, "
                                        ">, ==, !=), the value in the output's units",
                         "oneOf": [{"$ref": f"#/$defs/{prefix}-assertion"},
                                   {"type": "array", "items": {"$ref": f"#/$defs/{prefix}-assertion"}}]}}
    inputs = {"$ref": f"#/$defs/{prefix}-inputs"}
    if prefix.startswith("scenario-"):
        properties, required = {key: inputs}, [key]
        title = f"a {key} scenario run"
    else:
        names = [key] + ([number] if number is not None else [])
        properties = {"wall": {"enum": names, "description": target.question}, "inputs": inputs}
        required = ["wall"] + (["inputs"] if any(s.required for s in target.inputs.values()) else [])
        title = f"a run of wall {number if number is not None else key} ({key})"
    return {"type": "object", "title": title, "properties": {**common, **properties}, "required": required,
            "additionalProperties": False}


def inputs_schema(target) -> dict:
    """The inputs of one wall or scenario: a strict object, one property per declared input."""
    required = [s.name for s in target.inputs.values() if s.required]
    node = {"type": "object", "description": f"inputs of {target.slug}: {target.question}",
            "properties": {name: input_schema(s) for s in target.inputs.values() for name in (s.name, *s.aliases)},
            "additionalProperties": False}
    if required:
        node["required"] = required
    return node


def input_schema(spec) -> dict:
    """One input: a number (SI) or a string with a unit, a choice, a precision or a registry name."""
    from mlsysim.units import DIMENSIONS

    if spec.is_numeric:
        dimension = DIMENSIONS[spec.dimension]
        node = {"type": ["integer" if spec.integer else "number", "string"],
                "description": f"{spec.meaning} — {dimension.phrase} as a number in {dimension.si_unit} or a string "
                               f"with a unit (e.g. {dimension.example}); valid: {spec.range_text()}"}
        for bound, inclusive, exclusive, is_open in ((spec.low, "minimum", "exclusiveMinimum", spec.low_open),
                                                     (spec.high, "maximum", "exclusiveMaximum", spec.high_open)):
            if bound is not None:
                node[exclusive if is_open else inclusive] = bound
    elif spec.dimension == "choice":
        node = {"type": "string", "enum": list(spec.choices), "description": spec.meaning}
    elif spec.dimension == "precision":
        from mlsysim.precision import PRECISIONS

        node = {"type": "string", "examples": list(PRECISIONS),
                "description": f"{spec.meaning} — a numeric format: {', '.join(PRECISIONS)}"}
    elif spec.dimension == "text":
        node = {"type": "string", "description": spec.meaning}
    else:
        plural = next(p for p, k in RECORD_KINDS.items() if k == spec.dimension)
        node = {"type": "string", "description": f"{spec.meaning} — a {spec.dimension} name (`mlsysim zoo "
                                                 f"{plural}`) or a key under {plural}: in this file"}
    if spec.keywords:
        words = ", ".join(repr(word) for word, _ in spec.keywords)
        node["description"] += f"; or the word {words}"
    if not spec.required and spec.default is not None and isinstance(spec.default, (str, int, float)):
        node["default"] = spec.default
    return node


def _assertion_schema(target) -> dict:
    names = [n for n, o in target.outputs.items() if o.dimension != "data"]
    pattern = rf"^\s*({'|'.join(names)})\s*(<=|>=|==|!=|<|>)\s*\S.*$"
    return {"type": "string", "pattern": pattern,
            "description": f"OUTPUT OP VALUE on an output of {target.slug}: {', '.join(names)}"}


def _source_schema() -> dict:
    text = {"type": "string"}
    return {"type": "object", "description": "where a number comes from",
            "properties": {"title": text, "date": {"type": ["string", "integer"]}, "url": text, "location": text},
            "required": ["title", "date"], "additionalProperties": False}


def record_schema(kind: str) -> dict:
    """A custom spec record of one registry kind: its module's declared fields, a source required."""
    from mlsysim.specs import KINDS
    from mlsysim.units import DIMENSIONS

    module = importlib.import_module(f"mlsysim.specs.{KINDS[kind][0]}")
    quantities = getattr(module, "_QUANTITIES", {})
    properties: dict = {}
    for name in getattr(module, "_FIELDS", ()):
        if name in quantities:
            dimension = DIMENSIONS[quantities[name]]
            properties[name] = {"type": ["number", "string"], "description": f"{dimension.phrase}, e.g. "
                                                                             f"{dimension.example}"}
        elif name == "source":
            properties[name] = {"$ref": "#/$defs/source"}
        elif name == "sources":
            properties[name] = {"type": "object", "description": "a source per field, where it differs",
                                "additionalProperties": {"$ref": "#/$defs/source"}}
        elif name in ("peak", "peak_sparse"):
            properties[name] = {"type": "object", "description": "FLOP/s per precision, e.g. {bf16: 989 TFLOPS}",
                                "additionalProperties": {"type": ["number", "string"]}}
        elif name == "aliases":
            properties[name] = {"type": "array", "items": {"type": "string"}}
        elif name in ("name", "notes", "vendor"):
            properties[name] = {"type": "string"}
        else:
            properties[name] = {}
    return {"type": "object", "description": f"a {kind} record, as in the registry's YAML (`mlsysim zoo`)",
            "properties": properties, "additionalProperties": False,
            "anyOf": [{"required": ["source"]}, {"required": ["sources"]}]}


@click.command("schema", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-o", "--output", "output", metavar="FILE", help="Write the schema to FILE instead of stdout.")
def schema_command(output: str | None):
    """Print the JSON Schema (draft 2020-12) of scenario files, generated from the declarations.

    \b
    Example:
      mlsysim schema -o scenario.schema.json
      # then, first line of a scenario file:  # yaml-language-server: $schema=scenario.schema.json
    """
    import json

    text = json.dumps(schema(), indent=2, ensure_ascii=False)
    if output is None:
        click.echo(text)
        return
    from mlsysim.errors import InvalidInputError

    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    except OSError as error:
        raise InvalidInputError(f"output: cannot write {output!r}: {error.strerror or error}",
                                parameter="output") from None
    click.echo(f"wrote {output}", err=True)
