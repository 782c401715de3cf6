"""Progress tracking (issue 8): duty instances per jurisdiction, authenticated reports and reviews, the audit trail.

The policy graph says who must act and by when; this package records who has acted. Reports, reviews and
audit entries live in private named graphs of an on-disk store (see :mod:`akg.store`); credentials live
beside it in SQLite (:mod:`akg.progress.tokens`) and never enter the graph.
"""
