"""The only package that imports Brightway (bw2data / bw2calc / bw2io).

Brightway is imported lazily, after :func:`~lca_engine.bw.project.activate` has pointed ``BRIGHTWAY2_DIR`` at the
product's own data directory, so that nothing is ever written to the user's default Brightway folder.
"""

import warnings

warnings.filterwarnings("ignore", message="(?s).*pypardiso")  # deliberately not installed (shared README §2)

from .project import DataDir, activate, default_data_dir, guard_import  # noqa: E402
from .quiet import silence_feedback  # noqa: E402

# Runs before any module of this package can import bw2data (they all import this package first): our data folder,
# and bw2data's informational lines (raw colour codes in API runs and notebooks) kept off the user's screen.
guard_import()
silence_feedback()

__all__ = ["DataDir", "activate", "default_data_dir"]
