"""Streamlit dashboard for lca-engine (``lca-engine dashboard``); not part of the wheel.

* ``app.py`` — the entry point: page config, navigation, the background-year control;
* ``pages/`` — one module per page; a page imports only ``dashboard`` modules, never ``lca_engine``;
* ``engine.py`` — the facade the pages call (``engine.<name>``): it gathers the names of the modules below;
* ``settings.py`` — paths, years, upload limits, headline indicators, verdict draws and seed, the Brightway lock;
* ``views.py`` — tables and figures read off an assessment (both scopes, coverage, circularity side by side);
* ``cache.py`` — the cached assessment of the examples, the paired Monte Carlo of each micro-factory and its
  baseline (:func:`lca_engine.verdict.pair_monte_carlo`, as the report) with the verdicts, claims and Sobol read
  off it, and the report bytes;
* ``wales_cache.py`` — the Welsh policy facts and the Wales alignment, cached;
* ``wales_view.py`` — the Wales page's summary and tables, as pure functions;
* ``whatif.py`` — the what-if scenario, scenario effects and the named scenarios;
* ``upload_handler.py`` — uploads checked, kept in a temporary folder and assessed;
* ``export.py`` — result files and chart images for download;
* ``verdict_view.py`` — the verdict block and the tables shown beside it;
* ``entry.py`` — a deep link opened first goes through ``app.py``;
* ``ui.py`` — shared page parts; ``charts.py``, ``static.py``, ``images.py`` — figures and their images.
"""
