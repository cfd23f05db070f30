# Every target uses the project's own virtual environment (.venv), created on demand.
VENV ?= .venv
PY := $(VENV)/bin/python
# The documents `make run` audits: the five seed documents and two short articles.
DOC ?= examples

.PHONY: install test lint bench run clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	# The project's bytecode, written once: pip writes none for an editable
	# install, and where PYTHONDONTWRITEBYTECODE is set Python writes none
	# either, so every command would compile verifier anew (0.2 s of CPU).
	$(PY) -m compileall -q verifier > /dev/null
	touch $@

install: $(VENV)/.installed

## Run the main job: ingest, check and report every example document into sources.db.
## Exit code 1 means "some citation is broken" and 3 "this machine is offline, nothing
## could be judged" (see report.html either way): both are reported, not failures.
run: install
	@$(VENV)/bin/verifier audit $(DOC) -o report.html; rc=$$?; \
	if [ $$rc -eq 1 ]; then echo "Some citations are broken: open report.html"; \
	elif [ $$rc -eq 3 ]; then echo "This machine is offline: no link could be checked (report.html lists every citation as not judged)."; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi

test: install
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check verifier tests bench migrations
	$(VENV)/bin/ruff format --check verifier tests bench migrations
	$(VENV)/bin/mypy

bench: install
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
