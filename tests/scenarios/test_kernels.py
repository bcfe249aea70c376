"""GEMM tile quantization: the matmul rate pays for the padding of the last row and column of tiles."""

from __future__ import annotations

import numpy as np
import pytest

import mlsysim as ms
from mlsysim.scenarios.kernels import NVIDIA_GEMM_TILES, Rates, gemm_time, row_efficiency, tile_efficiency


def test_the_guides_tile_quantization_example():
    # NVIDIA Matrix Multiplication Background guide, section 3.1: with 128 × 128 tiles a 256 × 256
    # output is 4 tiles and a 257 × 256 output is 6, so one more row costs half again as much work.
    square = ((128, 128),)
    assert tile_efficiency(256, 256, square) == 1.0
    assert tile_efficiency(257, 256, square) == pytest.approx(257 * 256 / (6 * 128 * 128))


def test_the_better_fitting_orientation_of_the_tile_is_taken():
    # 128 rows fill a 128 × 256 tile exactly; a 256 × 128 tile would pad them to 256.
    assert tile_efficiency(128, 4096, NVIDIA_GEMM_TILES) == 1.0
    assert tile_efficiency(4096, 128, NVIDIA_GEMM_TILES) == 1.0
    # 176 rows (a decode batch) pad to 256 whichever way the tile lies: 176 / 256 of the work is real.
    assert row_efficiency(176, NVIDIA_GEMM_TILES) == pytest.approx(176 / 256)


def test_arrays_and_scalars_agree():
    m = np.array([1.0, 64.0, 176.0, 1000.0, 8192.0])
    n = np.array([4096.0, 2304.0, 11008.0, 6144.0, 1000.0])
    vector = tile_efficiency(m, n, NVIDIA_GEMM_TILES)
    assert np.allclose(vector, [tile_efficiency(a, b, NVIDIA_GEMM_TILES) for a, b in zip(m, n)])
    assert np.all((vector > 0) & (vector <= 1))


def test_an_empty_gemm_has_nothing_to_pad():
    assert tile_efficiency(0, 4096, NVIDIA_GEMM_TILES) == 1.0
    assert np.all(tile_efficiency(np.array([0.0, 128.0]), 4096.0, NVIDIA_GEMM_TILES) == 1.0)
    assert gemm_time(0, 4096, 4096, 2, Rates.of(ms.hardware("h100-sxm"), "bf16")) > 0  # reads the weights


def test_nvidia_hardware_pays_for_padding_and_others_do_not():
    h100, mi300x = ms.hardware("h100-sxm"), ms.hardware("mi300x")
    assert Rates.of(h100, "bf16").tiles == NVIDIA_GEMM_TILES
    assert Rates.of(mi300x, "bf16").tiles == ()  # no sourced tile model for AMD's libraries
    rates = Rates.of(h100, "bf16")
    # A compute-bound GEMM whose 8193 rows spill into one more row of 128-row tiles.
    exact, spilled = gemm_time(8192, 8192, 8192, 2, rates), gemm_time(8193, 8192, 8192, 2, rates)
    assert spilled / exact == pytest.approx(65 * 128 / 8192, rel=1e-3)


def test_a_memory_bound_decode_gemm_is_unchanged_by_padding():
    # One token through an 8192 × 8192 weight: reading 128 MiB of weights dwarfs even 128 padded rows.
    # The kernel's fixed time (6.2 µs on sm_90, OpenXLA's measured GEMM table) comes on top.
    rates = Rates.of(ms.hardware("h100-sxm"), "bf16")
    time = gemm_time(1, 8192, 8192, 2, rates)
    assert rates.launch == pytest.approx(6.2e-6)
    assert time == pytest.approx((8192 * 8192 + 2 * 8192) * 2 / rates.memory + rates.launch)
