"""Validation results as a terminal report, strict JSON, and the markdown of docs/validation.md."""

from __future__ import annotations

from mlsysim.validation.harness import CIRCULAR, NOT_EXPRESSIBLE, PENDING, PREDICTED, Row
from mlsysim.validation.report import COVERAGE_TARGET, TARGETS, Summary


def number(value) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "—"
    magnitude = abs(value)
    if magnitude and (magnitude >= 1e7 or magnitude < 1e-3):
        return f"{value:.4g}"
    return f"{value:,.4g}" if magnitude >= 1e4 else f"{value:.4g}"


def unit(row: Row) -> str:
    word = row.unit.split()[0] if row.unit else ""
    return "" if word in ("dimensionless", "probability") else word


def error(row: Row) -> str:
    return "—" if row.error is None else f"{row.error:+.1%}"


def shown(row: Row, value) -> str:
    text = number(value)
    return f"{text} {unit(row)}".strip() if value is not None else text


def short_source(text: str, width: int = 44) -> str:
    """The source's first clause (authors or document), cut to `width` characters."""
    head = text.split(", '")[0].split(" (")[0].split(", 20")[0]
    return head if len(head) <= width else head[: width - 1] + "…"


def summary_rows(summary: Summary) -> list[list[str]]:
    rows = []
    for g in summary.groups:
        name = g.name if g.name == g.category else "  " + g.name.split("/", 1)[1]
        worst = g.worst
        rows.append([name, f"{g.count(PREDICTED)}/{len(g.rows)}",
                     "—" if g.median is None else f"{g.median:.1%}",
                     "—" if worst is None else f"{abs(worst.error):.1%} ({worst.id})",
                     str(g.target) if g.target else "—", g.status])
    return rows


def coverage_line(summary: Summary) -> str:
    ok = "pass" if summary.coverage >= COVERAGE_TARGET else "FAIL"
    return (f"Coverage: {summary.expressed} of {len(summary.rows)} records expressed "
            f"({summary.coverage:.0%}; target ≥ {COVERAGE_TARGET:.0%}: {ok}): {summary.count(PREDICTED)} predicted "
            f"and counted, {summary.count(CIRCULAR)} circular (predicted, not counted); "
            f"{summary.count(NOT_EXPRESSIBLE)} not expressible, {summary.count(PENDING)} pending scenarios.")


def pending_lines(rows: list[Row]) -> list[str]:
    lines = []
    for category in dict.fromkeys(r.category for r in rows if r.status == PENDING):
        mine = [r for r in rows if r.category == category and r.status == PENDING]
        lines.append(f"{category} ({len(mine)} records): {mine[0].reason}")
    return lines


def terminal(rows: list[Row], summary: Summary) -> str:
    from mlsysim.cli.render import heading, table

    compared = [r for r in rows if r.status in (PREDICTED, CIRCULAR)]
    parts = [heading(f"Published vs predicted ({len(compared)} of {len(rows)} records)"),
             table(["id", "group", "published", "predicted", "error", "source"],
                   [[r.id, r.group, shown(r, r.published), shown(r, r.predicted),
                     error(r) + (" circular" if r.status == CIRCULAR else ""), short_source(r.source)] for r in compared]),
             "", heading("Per category (median and worst |error| over predicted, non-circular records)"),
             table(["category / group", "predicted", "median", "worst", "target", "result"], summary_rows(summary)),
             "", coverage_line(summary)]
    missing = [r for r in rows if r.status in (NOT_EXPRESSIBLE, CIRCULAR)]
    if missing:
        parts += ["", heading("Not expressed or circular, and why"),
                  table(["id", "status", "reason"], [[r.id, r.status, r.reason] for r in missing])]
    if any(r.status == PENDING for r in rows):
        parts += ["", heading("Pending scenarios"), *pending_lines(rows)]
    return "\n".join(parts)


def to_json(rows: list[Row], summary: Summary) -> dict:
    targets = {k: {"median": t.median, "worst": t.worst, "what": t.what} for k, t in TARGETS.items()}
    return {"summary": summary.to_dict(), "targets": targets, "records": [r.to_dict() for r in rows]}


def explain(row: Row, record) -> str:
    lines = [f"{row.id} ({row.group})", f"  quantity:  {row.quantity}",
             f"  published: {shown(row, row.published)}    predicted: {shown(row, row.predicted)}    "
             f"error: {error(row)}    status: {row.status}",
             f"  source:    {row.source}" + (f" ({row.location})" if row.location else "")]
    config = "; ".join(f"{k}={v}" for k, v in record.config.items())
    if config:
        lines.append(f"  config:    {config}")
    for i, call in enumerate(row.calls, 1):
        lines.append(f"  call {i}: {call.what}")
        if call.inputs:
            lines.append("    inputs:  " + ", ".join(f"{k}={v}" for k, v in call.inputs.items()))
        if call.outputs:
            lines.append("    outputs: " + ", ".join(f"{k}={v}" for k, v in call.outputs.items()))
        if call.explanation:
            lines.append(f"    {call.explanation}")
    if row.explanation:
        lines.append(f"  explanation: {row.explanation}")
    if row.reason:
        lines.append(f"  {'why not counted' if row.status == CIRCULAR else 'reason'}: {row.reason}")
    return "\n".join(lines)
