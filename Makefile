# Two commands do all the set-up on a fresh machine:
#   make serve   create the virtual environment, install, build and validate the graph, serve it
#   make test    create the virtual environment, install, lint and run the whole test suite
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test validate bench bench-national clean chromium graphiql-assets

$(BIN)/akg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

validate: $(BIN)/akg
	$(BIN)/akg validate

# akg serve validates at start and refuses a graph with Violations.
serve: $(BIN)/akg
	$(BIN)/akg serve --host $(HOST) --port $(PORT)

# The browser test drives Debian's chromium; no browser is ever downloaded by a test tool.
# Noto CJK lets the pages' Chinese render in the screenshots the browser tests take.
chromium:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -q "Noto Sans CJK" || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) ; } || echo "note: chromium not installed; the browser test will be skipped"

test: $(BIN)/akg chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

# GraphiQL's scripts are kept in graphql_api/static (the wheel carries them, so GraphiQL works offline).
# After a strawberry upgrade that names other versions, this takes the new files from the npm registry.
graphiql-assets: $(BIN)/akg
	$(BIN)/python -m graphql_api.graphiql_assets

bench: $(BIN)/akg
	$(BIN)/python bench/validate_bench.py

# The national synthetic corpus (31 provinces): akg against pyrudof, pySHACL and plain SPARQL, side by side.
# About half an hour on two cores, and up to 8 GB of memory; the corpus and its build stay in $(TMPDIR)/akg-bench-national.
bench-national: $(BIN)/akg
	$(BIN)/python bench/national_bench.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
