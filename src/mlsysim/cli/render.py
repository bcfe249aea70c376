"""Plain-text tables and JSON output for the command line (no heavy terminal libraries)."""

from __future__ import annotations

import json
import shutil
import textwrap

import click


def table(headers: list[str], rows: list[list[str]], *, wrap: int = -1) -> str:
    """Left-aligned columns; column `wrap` (default: the last) wraps to fit the terminal, and so
    does any other column wider than half the terminal when the table would not fit."""
    columns = len(headers)
    wrap = wrap % columns
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    total = shutil.get_terminal_size((120, 24)).columns
    if sum(widths) + 2 * (columns - 1) > total:
        widths = [w if i == wrap else min(w, max(20, total // 2)) for i, w in enumerate(widths)]
    others = sum(w for i, w in enumerate(widths) if i != wrap) + 2 * (columns - 1)
    widths[wrap] = min(widths[wrap], max(20, total - others))
    lines = []
    for row in [headers, ["─" * w for w in widths], *rows]:
        cells = [textwrap.wrap(str(c), widths[i]) or [""] if i == wrap or len(str(c)) > widths[i] else [str(c)]
                 for i, c in enumerate(row)]
        for k in range(max(len(c) for c in cells)):
            parts = [(c[k] if k < len(c) else "").ljust(widths[i]) for i, c in enumerate(cells)]
            lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def fit(text: str) -> str:
    """A line of prose wrapped to the terminal, as the tables are."""
    return textwrap.fill(text, shutil.get_terminal_size((120, 24)).columns, break_on_hyphens=False)


def emit_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


def heading(text: str) -> str:
    return f"{text}\n{'═' * min(len(text), 100)}"


def show_result(result, as_json: bool, plot_file: str | None, report) -> None:
    """What `mlsysim wall` and `train`/`serve` print: the plot if asked, then JSON or the report."""
    if plot_file:
        from mlsysim.viz import plot_result

        plot_result(result, plot_file)
        click.echo(f"drew {plot_file}", err=True)
    if as_json:
        emit_json(result.to_dict())
    else:
        click.echo(report(result))
