"""Python's cyclic garbage collector paused while a background is read and written (no Brightway import here).

bw2io's importer and bw2data's write build millions of small dicts, lists and tuples that all stay alive until the
end: every collection of the oldest generation walks all of them again and finds nothing to free (2,500
activities: about 7 of 18 s under cProfile; its share grows with the database). Reference counting still frees
everything that is not in a cycle; the collector is restored on the way out, error or not.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block; re-enable it afterwards only if it was enabled (so nesting, and a
    caller that had disabled it itself, are left as they were)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
