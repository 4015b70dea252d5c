"""condgan-relativistic: hook implementations only. The math is in losses.py, the objective in objective.py."""

from condgan import hookimpl, register_preset_folder, table_hook

# the objectives table (local name -> factory, params, description) is imported when objectives are collected
register_objectives = table_hook(".objective:OBJECTIVES", __package__)


@hookimpl
def register_presets(register):
    register_preset_folder(register, __package__)  # every presets/*.toml; its first comment line describes it
