"""Claims: the living subsidy, round-trip travel, accident insurance, and their review.

Read top-down: ``tables.py`` (what is stored), ``schemas.py`` (what crosses the wire),
``rules.py`` (the pure rules: state table, amounts, flags, coverage), ``services.py`` (claims
and their review), ``insurance.py``, ``exports.py``, ``controllers.py`` (HTTP) and
``sync_kinds.py`` (the offline protocol).
"""
