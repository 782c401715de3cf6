"""The GraphQL accountability service (strawberry on FastAPI), reading the graph through ``akg.store``."""
