"""Plain-text tables and JSON output for the command line (no heavy terminal libraries)."""

from __future__ import annotations

import json
import shutil
import textwrap

import click


def table(headers: list[str], rows: list[list[str]], *, wrap_last: bool = True) -> str:
    """Left-aligned columns; the last column wraps to the terminal width."""
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    total = shutil.get_terminal_size((120, 24)).columns
    lines = []
    prefix_width = sum(widths[:-1]) + 2 * (len(widths) - 1)
    last_width = min(widths[-1], max(20, total - prefix_width - 2)) if wrap_last else widths[-1]
    for row in [headers, ["─" * w for w in widths[:-1]] + ["─" * last_width], *rows]:
        cells = [str(c).ljust(w) for c, w in zip(row[:-1], widths)]
        tail = textwrap.wrap(str(row[-1]), last_width) or [""]
        lines.append("  ".join([*cells, tail[0]]).rstrip())
        lines.extend((" " * prefix_width + "  " + more).rstrip() for more in tail[1:])
    return "\n".join(lines)


def emit_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


def heading(text: str) -> str:
    return f"{text}\n{'═' * min(len(text), 100)}"
