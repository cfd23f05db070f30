# Every target uses the project's own virtual environment (.venv), created on demand.
VENV ?= .venv
PY := $(VENV)/bin/python
DOC ?= ../shared/corpus/seeds

.PHONY: install test lint bench run clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## Run the main job: ingest, check and report every seed document into sources.db.
run: install
	$(VENV)/bin/verifier audit $(DOC) -o report.html

test: install
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check verifier tests bench migrations
	$(VENV)/bin/ruff format --check verifier tests bench migrations
	$(VENV)/bin/mypy

bench: install
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
