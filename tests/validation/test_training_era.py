"""Software a record's run could have used: dated by the source, or by the model for a later
paper quoting an older run. FlashAttention and selective recomputation both date from 2022
(Dao et al., May 2022; Korthikanti et al., May 2022)."""

from __future__ import annotations

from mlsysim.validation import records
from mlsysim.validation.categories import training
from mlsysim.validation.categories._training_config import RECOMPUTE_BEFORE_2022, job_inputs


def test_a_run_quoted_by_a_later_paper_keeps_its_own_era():
    # The PaLM paper (2022) quotes MT-NLG 530B (trained 2021): scores materialized, and a layer's
    # activations either all kept or all recomputed.
    inputs, searched = job_inputs(records.get("train-palm-table-mfu-mtnlg"))
    assert inputs["attention"] == "materialized" and RECOMPUTE_BEFORE_2022 in searched
    prediction = training.express(records.get("train-palm-table-mfu-mtnlg"))
    assert "recompute=full" in prediction.explanation  # 530B does not fit on 80 GB keeping everything


def test_a_record_naming_its_software_is_dated_by_its_source():
    # Megatron-Core r0.8.0 (2024) training the 2020 GPT-3 architecture ran FlashAttention.
    inputs, searched = job_inputs(records.get("train-mcore-h100-gpt3-strong-96"))
    assert "attention" not in inputs and "recompute" in searched
