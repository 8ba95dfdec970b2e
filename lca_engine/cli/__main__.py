"""`python -m lca_engine.cli` = `lca-engine`."""

from . import main

main()
