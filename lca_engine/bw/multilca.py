"""The one door through which the product builds a ``bc.MultiLCA``: demands of node ids × the chosen methods.

:func:`matrices` loads the matrices and indices without solving (the deterministic results factorise the
background once themselves, :mod:`.background_scores`); :func:`solved` also runs bw2calc's LCI and LCIA (the
Monte Carlo reads bw2calc's supply arrays and scores as its reference, :mod:`.matrices`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import bw2calc as bc
import bw2data as bd

Demands = dict[str, dict[int, float]]


@contextmanager
def _quiet() -> Iterator[None]:
    """bw2calc warns when a method characterises nothing in these systems (e.g. toxicity with no toxic emissions);
    the completeness table reports that per flow instead."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="All values in characterization matrix")
        warnings.filterwarnings("ignore", message="No valid biosphere flows found")
        yield


def _new(demands: Demands, methods: list[tuple]) -> bc.MultiLCA:
    config = {"impact_categories": list(methods)}
    return bc.MultiLCA(demands=demands, method_config=config, data_objs=bd.get_multilca_data_objs(demands, config))


def matrices(demands: Demands, methods: list[tuple]) -> bc.MultiLCA:
    """The MultiLCA's matrices, indices and demand arrays, not solved (no factorisation)."""
    with _quiet():
        mlca = _new(demands, methods)
        mlca.load_lci_data()
        mlca.build_demand_array()
        if mlca.dicts.biosphere:  # no characterisation matrices when no activity has an elementary flow
            mlca.load_lcia_data()
        return mlca


def solved(demands: Demands, methods: list[tuple]) -> bc.MultiLCA:
    """The MultiLCA solved by bw2calc: supply arrays and scores."""
    with _quiet():
        mlca = _new(demands, methods)
        mlca.lci()
        mlca.lcia()
        return mlca
