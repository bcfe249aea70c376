"""Run every published record through the expresser for its category and compare.

Each record yields one `Row`: predicted (value, signed relative error, explanation), circular
(predicted, but from an input taken from the record's own source: shown, not counted),
not expressible (with the reason), or pending (its category's scenarios are not built yet).
Nothing is skipped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlsysim.errors import MlsysimError, UnknownNameError
from mlsysim.validation import records as _records
from mlsysim.validation.prediction import Call, NotExpressible, Prediction

PREDICTED, CIRCULAR, NOT_EXPRESSIBLE, PENDING = "predicted", "circular", "not expressible", "pending"

# Categories whose expressers arrive with the training and serving scenarios (Iron Law issue):
# `categories/training.py` and `categories/inference.py`. Until then their records are pending.
PENDING_REASONS = {
    "training_throughput": "pending scenarios: needs ms.TrainingJob (Iron Law) to predict TFLOP/s and MFU",
    "training_compute": "pending scenarios: needs ms.TrainingJob to predict training FLOPs and GPU-hours",
    "inference": "pending scenarios: needs ms.ServingDeployment to predict throughput and time to first token",
}


@dataclass
class Row:
    """The outcome for one record."""

    id: str
    category: str
    group: str
    quantity: str
    published: object
    unit: str
    source: str
    location: str
    status: str
    verified: bool = True
    predicted: float | None = None
    error: float | None = None
    explanation: str = ""
    reason: str = ""
    calls: tuple[Call, ...] = field(default_factory=tuple)

    @property
    def counted(self) -> bool:
        """Whether the row counts as validation (in medians and coverage)."""
        return self.status == PREDICTED

    def to_dict(self) -> dict:
        return {"id": self.id, "category": self.category, "group": self.group, "quantity": self.quantity,
                "published": self.published, "unit": self.unit, "predicted": self.predicted,
                "error": self.error, "status": self.status, "verified": self.verified, "source": self.source,
                "location_in_source": self.location, "explanation": self.explanation, "reason": self.reason,
                "calls": [c.to_dict() for c in self.calls]}


def signed_error(predicted: float, low: float, high: float) -> float:
    """(predicted − published) / published; for a published range, 0 inside it, else to the nearer end."""
    if low <= predicted <= high:
        return 0.0
    end = low if predicted < low else high
    return (predicted - end) / end if end else float("inf")


def evaluate(record, express) -> Row:
    """One record through one expresser (None: its category is pending or unknown)."""
    row = Row(id=record.id, category=record.category, group=record.category, quantity=record.quantity,
              published=record.value, unit=record.unit, source=record.source, location=record.location,
              status=NOT_EXPRESSIBLE, verified=record.verified)
    if express is None:
        row.status = PENDING if record.category in PENDING_REASONS else NOT_EXPRESSIBLE
        row.reason = PENDING_REASONS.get(record.category, f"no expresser for category {record.category!r}")
        return row
    try:
        low, high = record.bounds
    except MlsysimError as error:
        row.reason = str(error)
        return row
    try:
        prediction = express(record)
    except NotExpressible as missing:
        row.reason = missing.reason
        return row
    except MlsysimError as error:  # a wall or registry refused the record's inputs
        row.reason = f"mlsysim rejected the record's inputs: {error}"
        return row
    _fill(row, prediction, low, high)
    return row


def _fill(row: Row, prediction: Prediction, low: float, high: float) -> None:
    row.predicted = float(prediction.value)
    row.error = signed_error(row.predicted, low, high)
    row.explanation, row.calls = prediction.explanation, tuple(prediction.calls)
    row.group = prediction.group or row.category
    row.status = CIRCULAR if prediction.circular else PREDICTED
    row.reason = prediction.circular or ""


def run(category: str | None = None, records: list | None = None) -> list[Row]:
    """Every record (of one category if given), in the order of the published table."""
    from mlsysim.validation.categories import expressers

    records = records if records is not None else _records.load()
    if category is not None:
        known = _records.categories(records)
        if category not in known:
            raise UnknownNameError("category", category, known, parameter="category")
        records = [r for r in records if r.category == category]
    table = expressers()
    return [evaluate(record, table.get(record.category)) for record in records]


def explain(record_id: str, records: list | None = None) -> Row:
    """The row of one record, with its calls; an unknown id suggests close ones."""
    from mlsysim.validation.categories import expressers

    record = _records.get(record_id, records)
    return evaluate(record, expressers().get(record.category))
