"""The exceptions condgan raises. Every one renders without a traceback in the CLI (exit code 2 for ConfigError)."""

from __future__ import annotations

import difflib


class CondganError(Exception):
    """Base class: a problem the user can fix, with a message that says how."""


class ConfigError(CondganError):
    """One or more problems in a config. ``problems`` holds ``(path, message)`` pairs; all are reported together."""

    def __init__(self, problems: list[tuple[str, str]], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        head = f"{self.source}: " if self.source else ""
        lines = [f"{head}{len(self.problems)} problem(s) in the config:" if len(self.problems) > 1 else ""]
        for path, msg in self.problems:
            lines.append(f"{head if len(self.problems) == 1 else '  '}{path}: {msg}")
        return "\n".join(line for line in lines if line)


class PluginLoadError(CondganError):
    """A plugin could not be loaded (import failure, bad hook, two distributions with one name)."""


class DuplicateComponentError(CondganError):
    """Two registrations of one qualified component name; the message names both providers."""


class UnknownComponentError(CondganError):
    """A component name that no loaded plugin registered."""


class DataError(CondganError):
    """A dataset or batch that does not match what the config declares."""


class CheckpointError(CondganError):
    """A checkpoint that is missing, corrupt, unsafe, or from a different config."""


class NonFiniteLossError(CondganError):
    """A loss became NaN or infinite; the message names the loss and the step."""


class EvaluatorMismatchError(CondganError):
    """An evaluation classifier trained on other data than the run's; the message names both and the fix."""


def did_you_mean(word: str, choices, n: int = 1, cutoff: float = 0.6) -> str:
    """`` Did you mean 'x'?`` or the empty string."""
    close = difflib.get_close_matches(word, list(choices), n=n, cutoff=cutoff)
    if not close:
        return ""
    return " Did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
