"""akg: an accountability knowledge graph of child-welfare policy.

Layers, each importing only those below it: ``loader`` (sources to triples) → ``akg.store`` (holds the
graph) → ``akg.validation``, ``akg.accountability`` (read the store) → ``graphql_api``, ``akg.matrix``
→ ``akg_cli`` (the command, above both faces).
"""

__version__ = "0.2.0"
