"""The format of a scenario file: its keys, the assertion grammar, and reading it with line numbers.

The YAML is composed with PyYAML's SafeLoader (plain data, never Python objects) into nodes that
keep their lines, so every mistake can be reported as one line, `FILE:LINE: field: message`.
The JSON Schema of the format is generated from the declarations by `mlsysim.cli.schema`;
loading, checking and running a file is `mlsysim.scenarios.files`.
"""

from __future__ import annotations

import math
import operator
import re
from typing import Any

import yaml

from mlsysim.errors import InvalidInputError, suggest

# file key -> registry kind
RECORD_KINDS = {"hardware": "hardware", "models": "model", "storage": "storage", "cpus": "cpu",
                "networks": "network", "grids": "grid"}
TARGET_KEYS = ("training", "serving", "wall")
RUN_KEYS = ("name", "description", "training", "serving", "wall", "inputs", "assert")
FILE_KEYS = ("description", *RECORD_KINDS, "runs")
OPERATORS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt,
             "==": lambda a, b: math.isclose(a, b, rel_tol=1e-9),
             "!=": lambda a, b: not math.isclose(a, b, rel_tol=1e-9)}
ASSERTION = re.compile(r"^\s*([A-Za-z_]\w*)\s*(<=|>=|==|!=|<|>)\s*(\S.*?)\s*$")
_TRUE, _FALSE = ("yes", "true", "1"), ("no", "false", "0")


def parse_assertion(target, text) -> tuple[str, str, object]:
    """('mfu', '>=', 0.35) from 'mfu >= 35%': the limit parsed in the output's dimension."""
    from mlsysim.units import parse

    match = ASSERTION.match(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidInputError(f"{text!r} is not a constraint; write OUTPUT OP VALUE (OP: <=, <, >=, >, ==, !=), "
                                f"e.g. 'time <= 30 days'")
    output, op, raw = match.groups()
    if output not in target.outputs:
        hint = suggest(output, target.outputs)
        guess = f"did you mean {hint[0]!r}?" if hint else f"outputs: {', '.join(target.outputs)}"
        raise InvalidInputError(f"{output!r} is not an output of {target.slug}; {guess}")
    dimension = target.outputs[output].dimension
    if dimension == "data":
        raise InvalidInputError(f"{output} is a breakdown, not a value; assert on a single output instead")
    if dimension in ("text", "flag") and op not in ("==", "!="):
        raise InvalidInputError(f"{output} is {'a name' if dimension == 'text' else 'a yes/no'}; compare it "
                                f"with == or !=")
    if dimension == "text":
        return output, op, raw.strip("'\"")
    if dimension == "flag":
        word = raw.strip("'\"").lower()
        if word not in _TRUE + _FALSE:
            raise InvalidInputError(f"{output} is a yes/no; compare it with yes or no, not {raw!r}")
        return output, op, word in _TRUE
    limit = parse(raw, dimension, name=output)
    if not math.isfinite(limit):
        raise InvalidInputError(f"{output}: {raw!r} is not a finite value")
    return output, op, limit


MAX_BYTES = 1_000_000  # a scenario file is a few kB; this refuses a mistaken path to a data file
MAX_NODES = 100_000  # YAML aliases can expand exponentially ("billion laughs"); stop well before


class ScenarioFileError(InvalidInputError):
    """A mistake in a scenario file, located: `FILE:LINE: field: message` (one line)."""

    def __init__(self, file: str, line: int | None, field_text: str, message: str, *, exit_code: int = 2):
        self.file, self.line, self.field, self.exit_code = file, line, field_text, exit_code
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {field_text + ': ' if field_text else ''}{' '.join(message.split())}",
                         parameter=field_text or None)


class Lines:
    """The line of every key and list item of a file, by path: ('runs', 0, 'training', 'tp') -> 7."""

    def __init__(self, file: str, lines: dict | None = None):
        self.file, self.lines = file, lines or {}

    def locate(self, path: tuple) -> tuple[int | None, str]:
        """(line, 'runs[0].training.tp'): the line of the deepest part of `path` the file has."""
        known = next((path[:n] for n in range(len(path), -1, -1) if path[:n] in self.lines), ())
        return self.lines.get(known), _field(path)

    def error(self, path: tuple, message: str, *, field_path: tuple | None = None,
              exit_code: int = 2) -> ScenarioFileError:
        line, _ = self.locate(path)
        return ScenarioFileError(self.file, line, _field(field_path or path), message, exit_code=exit_code)


def _field(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f"{'.' if text else ''}{part}"
    return text


def kind_of(value) -> str:
    """What a YAML value is, in words, for 'expected …, got …'."""
    if value is None:
        return "nothing (null)"
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "a mapping"}
    shown = f" {value!r}" if isinstance(value, (bool, int, float)) or (isinstance(value, str) and len(value) < 40) else ""
    return names.get(type(value), type(value).__name__) + shown


def read(path) -> tuple[Any, Lines]:
    """The file's data (plain dicts, lists, strings, numbers) and the line of each key."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioFileError(name, None, "", "no such file") from None
    except OSError as error:
        raise ScenarioFileError(name, None, "", f"cannot read it: {error.strerror or error}") from None
    if len(raw) > MAX_BYTES:
        raise ScenarioFileError(name, None, "", f"larger than {MAX_BYTES // 1000} kB; is this a scenario file?")
    if b"\0" in raw:
        raise ScenarioFileError(name, None, "", "a binary file, not YAML text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise ScenarioFileError(name, line, "", f"not UTF-8 text (byte 0x{raw[error.start]:02x})") from None
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        lines = Lines(name, _line_map(node, name) if node is not None else {})
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        context = f" ({error.context})" if error.context else ""
        raise ScenarioFileError(name, mark.line + 1 if mark else None, "", f"invalid YAML: {error.problem}{context}") from None
    except yaml.YAMLError as error:
        position = getattr(error, "position", None)
        line = text[:position].count("\n") + 1 if isinstance(position, int) else None
        raise ScenarioFileError(name, line, "", f"invalid YAML: {str(error).splitlines()[0]}") from None
    finally:
        if loader is not None:
            loader.dispose()
    if data is None:
        raise ScenarioFileError(name, None, "", "the file is empty; give runs: (a list) or one run "
                                                "(training:, serving: or wall:); see `mlsysim schema`")
    return data, lines


class _Loader(yaml.SafeLoader):
    """PyYAML's SafeLoader (plain data only), dates kept as written, huge integers read as ±inf."""

    def construct_yaml_int(self, node):
        value = super().construct_yaml_int(node)
        try:
            float(value)
        except OverflowError:  # 1 followed by 400 zeros: as a float it is infinite, like 1.0e+400
            return math.inf if value > 0 else -math.inf
        return value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def _line_map(root, name: str) -> dict:
    """Walk the composed nodes (before construction merges `<<` keys) for lines; refuse duplicate keys."""
    lines, stack, visited = {(): root.start_mark.line + 1}, [((), root)], 0
    while stack:
        path, node = stack.pop()
        visited += 1
        if visited > MAX_NODES:
            raise ScenarioFileError(name, None, "", f"more than {MAX_NODES} YAML nodes; is an alias repeated?")
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if key in seen and key != "<<":
                    raise ScenarioFileError(name, key_node.start_mark.line + 1, _field(path + (key,)),
                                            "duplicate key; each key may appear once")
                seen.add(key)
                lines[path + (key,)] = key_node.start_mark.line + 1
                stack.append((path + (key,), value_node))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[path + (i,)] = item.start_mark.line + 1
                stack.append((path + (i,), item))
    return lines
