"""Synthetic county generator: a realistic registry extract in the interchange format.

`generate_county` is imported lazily so that loading the Django app does not pull in numpy and
polars for every command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from renkou.synth.generate import generate_county

__all__ = ["generate_county"]


def __getattr__(name: str) -> Any:
    if name == "generate_county":
        from renkou.synth.generate import generate_county

        return generate_county
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
