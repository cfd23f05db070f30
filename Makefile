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
## Exit code 1 means "some citation is broken" (see report.html): reported, not a failure.
run: install
	@$(VENV)/bin/verifier audit $(DOC) -o report.html; rc=$$?; \
	if [ $$rc -eq 1 ]; then echo "Some citations are broken: open report.html"; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi

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
