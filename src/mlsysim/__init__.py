"""mlsysim: first-principles models of ML systems — the 22 walls and the Iron Law.

    import mlsysim as ms
    ms.wall("memory")(weight_bytes="16 GB", bandwidth="3.35 TB/s").outputs["time"]   # 0.004776 s
    ms.hardware("H100").peak_flops("bf16")                                            # 9.894e14

Everything is imported on first use (PEP 562), so `import mlsysim` stays fast.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

from mlsysim.errors import InfeasibleError, InvalidInputError, MlsysimError, UnknownNameError

# name -> (module, attribute); attribute None means the module itself.
_LAZY = {
    "units": ("mlsysim.units", None),
    "precision": ("mlsysim.precision", None),
    "scenarios": ("mlsysim.scenarios", None),
    "Wall": ("mlsysim.walls.core", "Wall"),
    "Hardware": ("mlsysim.specs.hardware", "Hardware"),
    "Model": ("mlsysim.specs.models", "Model"),
    "sensitivity": ("mlsysim.analysis.sensitivity", "sensitivity"),
    "solve": ("mlsysim.analysis.solve", "solve"),
    "sweep": ("mlsysim.analysis.sweep", "sweep"),
    "TrainingJob": ("mlsysim.scenarios", "TrainingJob"),
    "ServingDeployment": ("mlsysim.scenarios", "ServingDeployment"),
    "synthesize": ("mlsysim.analysis.synthesis", "synthesize"),
    "Storage": ("mlsysim.specs.storage", "Storage"),
    "Cpu": ("mlsysim.specs.cpus", "Cpu"),
    "Network": ("mlsysim.specs.networks", "Network"),
    "Grid": ("mlsysim.specs.grids", "Grid"),
}
_REGISTRIES = {"hardware": "hardware", "model": "model", "storage": "storage", "cpu": "cpu",
               "network": "network", "grid": "grid"}

__all__ = ["wall", "walls", "hardware", "model", "storage", "cpu", "network", "grid",
           "MlsysimError", "InvalidInputError", "UnknownNameError", "InfeasibleError", *_LAZY]


def wall(key):
    """A wall by number or slug: wall(2), wall("memory"), wall("tail-latency")."""
    from mlsysim.walls import get

    return get(key)


def __getattr__(name: str):
    if name == "walls":  # the walls package doubles as the ordered sequence of walls
        return importlib.import_module("mlsysim.walls")
    if name in _REGISTRIES:
        from mlsysim.specs import registry

        return registry(_REGISTRIES[name])
    if name in _LAZY:
        module_name, attribute = _LAZY[name]
        module = importlib.import_module(module_name)
        value = module if attribute is None else getattr(module, attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mlsysim' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
