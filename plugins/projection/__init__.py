"""Plugin ``projection``: the projection discriminator (Miyato & Koyama, "cGANs with Projection Discriminator",
ICLR 2018). Hook implementations only; the math is in ``losses.py``, the objective in ``objectives.py``, ready
experiments in ``presets/``. Written against the public API only (``condgan``, ``condgan.losses``)."""

from __future__ import annotations

from condgan import hookimpl, register_preset_folder, table_hook

# each table is imported when condgan collects that kind of component
register_objectives = table_hook(".objectives:OBJECTIVES", __package__)


@hookimpl
def register_presets(register):
    register_preset_folder(register, __package__)
