"""Validation rules: one small function per rule, grouped in tables that :func:`lca_engine.validate.check` runs.

Each rule reads the factory (and what :class:`~lca_engine.rules.context.Ctx` knows: sources, background factors,
the file for line numbers) and reports problems; none raises, so a user sees every problem of a file at once.
Allowed values come from :mod:`lca_engine.model`, never retyped here.
"""
