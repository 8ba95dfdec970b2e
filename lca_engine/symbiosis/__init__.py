"""Industrial symbiosis: one factory's waste matched to other factories' virgin inflows of the same material class
within a road radius (:mod:`.matching`), the CO2e per year of each match (:mod:`.savings`), and the what-if that
re-assesses both factories with the link as a real flow (:mod:`.whatif`, :mod:`.run`).

Modules: ``classes`` (a flow's material class: stated, else from its DESNZ key, else none), ``distance``
(haversine × a cited road circuity factor), ``flows`` (supply and demand per year), ``matching`` (allocation,
nearest first), ``savings`` (catalogue factors only), ``whatif`` (two new factory models), ``portfolio`` (the
table, pure), ``run`` (files, catalogue and re-assessment: the I/O edge).
"""

from __future__ import annotations

from .run import WhatIf, find_matches, what_if

__all__ = ["WhatIf", "find_matches", "what_if"]
