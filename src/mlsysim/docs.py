"""One page per wall, generated from its declaration: for the terminal, for JSON and for MkDocs."""

from __future__ import annotations

import textwrap

from mlsysim.units import DIMENSIONS, si_unit


def _unit(dimension: str) -> str:
    if dimension in DIMENSIONS:
        return si_unit(dimension)
    return dimension


def _default(spec) -> str:
    if spec.required:
        return "required"
    return "—" if spec.default is None else str(spec.default)


def wall_page_data(wall) -> dict:
    """The declaration and its worked examples (evaluated live) as plain data."""
    examples = []
    for example in wall.examples:
        result = wall(**example.inputs)
        examples.append({
            "inputs": {k: str(v) for k, v in example.inputs.items()},
            "outputs": {k: result.fmt(k) for k, v in result.outputs.items() if v is not None and k in wall.outputs},
            "explanation": result.explain(),
            "source": example.source,
        })
    return {
        "wall": wall.number, "slug": wall.slug, "title": wall.title, "domain": wall.domain,
        "question": wall.question, "equation": wall.equation, "latex": wall.latex,
        "explanation": wall.explanation, "caveats": wall.caveats, "sources": list(wall.sources),
        "inputs": [{"name": s.name, "flag": s.flag, "unit": _unit(s.dimension), "meaning": s.meaning,
                    "default": _default(s), "range": s.range_text() if s.is_numeric else ""}
                   for s in wall.inputs.values()],
        "outputs": [{"name": o.name, "unit": "" if o.dimension == "text" else _unit(o.dimension),
                     "meaning": o.meaning} for o in wall.outputs.values()],
        "examples": examples,
    }


def wall_page_text(wall) -> str:
    """The page for `mlsysim explain`."""
    from mlsysim.cli.render import heading, table

    data = wall_page_data(wall)
    label = f"Wall {wall.number}" if wall.number is not None else "The Iron Law"
    parts = [heading(f"{label} · {wall.title} ({wall.domain})"), wall.question, "",
             f"  {wall.equation}", "", textwrap.fill(wall.explanation, 100), ""]
    parts.append(table(["input", "unit", "default", "valid range", "meaning"],
                       [[i["flag"], i["unit"], i["default"], i["range"], i["meaning"]] for i in data["inputs"]]))
    parts += ["", table(["output", "unit", "meaning"], [[o["name"], o["unit"], o["meaning"]] for o in data["outputs"]])]
    for number, example in enumerate(data["examples"], 1):
        given = ", ".join(f"{k}={v}" for k, v in example["inputs"].items())
        parts += ["", f"Worked example {number}: {given}", textwrap.indent(textwrap.fill(example["explanation"], 96), "  ")]
        if example["source"]:
            parts.append(f"  (source: {example['source']})")
    if wall.caveats:
        parts += ["", textwrap.fill("What it leaves out: " + wall.caveats, 100)]
    return "\n".join(parts)


def wall_page_markdown(wall) -> str:
    """The page for the docs site."""
    data = wall_page_data(wall)
    label = f"Wall {wall.number}" if wall.number is not None else "The Iron Law"
    lines = [f"# {label}: {wall.title}", "", f"**Domain:** {wall.domain} · **Question:** {wall.question}", "",
             f"$$ {wall.latex} $$", "", f"`{wall.equation}`", "", wall.explanation, "", "## Inputs", "",
             "| name | flag | unit | default | valid range | meaning |", "|---|---|---|---|---|---|"]
    lines += [f"| `{i['name']}` | `{i['flag']}` | {i['unit']} | {i['default']} | {i['range']} | {i['meaning']} |"
              for i in data["inputs"]]
    lines += ["", "## Outputs", "", "| name | unit | meaning |", "|---|---|---|"]
    lines += [f"| `{o['name']}` | {o['unit']} | {o['meaning']} |" for o in data["outputs"]]
    for number, example in enumerate(data["examples"], 1):
        lines += ["", f"## Worked example {number}", "", "```python", "import mlsysim as ms",
                  f"ms.wall({wall.slug!r})(" + ", ".join(f"{k}={v!r}" for k, v in example["inputs"].items()) + ")",
                  "```", "", example["explanation"], ""]
        if example["source"]:
            lines.append(f"*Source: {example['source']}*")
    if wall.caveats:
        lines += ["", "## What it leaves out", "", wall.caveats]
    return "\n".join(lines) + "\n"
