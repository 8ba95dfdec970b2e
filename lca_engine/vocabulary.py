"""Values the command line shows in its help, in a module that imports nothing: ``lca-engine --help`` must not load
pandas, pint or pydantic to print them. Each is defined here once; :mod:`.model` and :mod:`.balance` take theirs
from here (tests/test_startup.py checks they are the same)."""

from __future__ import annotations

from typing import Literal, get_args

System = Literal["micro-factory", "baseline"]
SYSTEMS: tuple[str, ...] = get_args(System)
MICRO_FACTORY, BASELINE = SYSTEMS

#: Relative mass-balance tolerance (0.01 = 1 %) when none is given.
DEFAULT_TOLERANCE = 0.01
