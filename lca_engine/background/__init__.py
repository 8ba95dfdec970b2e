"""Open background data: reading the shipped factor files into a tidy factor catalogue (no Brightway here)."""

from .catalog import Catalog, Factor, default_inventories_dir, load_catalog

__all__ = ["Catalog", "Factor", "default_inventories_dir", "load_catalog"]
