# Two commands matter: `make demo` (the tutorial, run against a local platform) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test lint typecheck pytest migration clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install -q -e '.[server,test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo.py

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks examples
	$(VENV)/bin/lint-imports

# mypy with the [tool.mypy] settings in pyproject.toml
typecheck: $(STAMP)
	$(VENV)/bin/mypy

# Two workers: most tests wait on servers, processes and the database, so two share the
# two cores well. Each file stays on one worker: some modules build on state their earlier
# tests left (a login, then a logout). A plain `.venv/bin/pytest` runs in one process.
pytest: $(STAMP)
	$(VENV)/bin/pytest -n 2 --dist loadfile --durations=25

test: lint typecheck pytest

# A new Alembic revision from the models: make migration m="what changed"
migration: $(STAMP)
	$(PY) -m globus_local.schema revision "$(m)"

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
