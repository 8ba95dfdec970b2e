"""The Wales alignment of the shipped examples, cached by the policy file's fingerprint (lca_engine.wales)."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

import lca_engine as le
from lca_engine.wales import DISCLAIMER as DISCLAIMER
from lca_engine.wales import NOT_STATED as NOT_STATED
from lca_engine.wales import (
    WalesAlignment,
    WalesPolicy,
    assessment_alignment,
    default_policy_file,
    load_policy,
    portfolio_alignment,
)


def wales_policy_fingerprint() -> str:
    """Changes whenever the policy facts (inventories/wales_policy.toml) change: part of the Wales cache keys."""
    return hashlib.sha256(default_policy_file().read_bytes()).hexdigest()[:16]


@st.cache_resource(show_spinner=False, max_entries=4)
def _wales_policy(policy: str) -> WalesPolicy:
    return load_policy()


def wales_policy() -> WalesPolicy:
    """The Welsh policy facts (:func:`lca_engine.wales.load_policy` of inventories/wales_policy.toml), cached by the
    file's fingerprint."""
    return _wales_policy(wales_policy_fingerprint())


@st.cache_data(show_spinner=False, max_entries=4)
def _wales_goals(policy: str) -> pd.DataFrame:
    goals = wales_policy().goals
    return pd.DataFrame(
        [(gid, g.get("name", gid), g.get("description", "")) for gid, g in goals.items()],
        columns=["goal_id", "goal", "description"],
    )


def wales_goals() -> pd.DataFrame:
    """The seven well-being goals of the Act in its order (goal_id, goal, description) from wales_policy.toml."""
    return _wales_goals(wales_policy_fingerprint())


@st.cache_data(show_spinner="Mapping onto the Welsh policy goals…", max_entries=64)
def _wales_alignment(key: str, policy: str, _a: le.Assessment, fid: str) -> WalesAlignment:
    return assessment_alignment(_a, fid)


def wales_alignment(a: le.Assessment, key: str, fid: str) -> WalesAlignment:
    """Well-being of Future Generations goals and National Indicators, five ways of working, Beyond Recycling and
    the Circular Economy Fund checklist of one micro-factory (:func:`lca_engine.wales.assessment_alignment`)."""
    return _wales_alignment(key, wales_policy_fingerprint(), a, fid)


@st.cache_data(show_spinner="Mapping the portfolio onto the Welsh policy goals…", max_entries=16)
def _wales_portfolio(key: str, policy: str, _a: le.Assessment) -> pd.DataFrame:
    return portfolio_alignment(_a)


def wales_portfolio(a: le.Assessment, key: str) -> pd.DataFrame:
    """One row per micro-factory with the counts of :func:`lca_engine.wales.portfolio_alignment`."""
    return _wales_portfolio(key, wales_policy_fingerprint(), a)
