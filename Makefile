# Deep Learning Framework Exploration: backpropagation from the ground up.
# `make book` builds the HTML book, `make test` runs every test. Both create .venv when needed.

SHELL := /bin/bash
PYTHON_SYS := $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: book test lab bench clean venv assets

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@if [ -z "$(PYTHON_SYS)" ]; then \
	  echo "error: python3.11 (or python3) not found; install Python 3.11 and run make again." >&2; \
	  exit 1; fi
	@test -x $(PY) || $(PYTHON_SYS) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@touch $(STAMP)

assets: $(STAMP)
	@bash tools/fetch_assets.sh

book: $(STAMP) assets
	$(VENV)/bin/jupyter-book build . -W --keep-going --all

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest -q tests
	$(VENV)/bin/python -m pytest -q --nbval-lax -p no:randomly chapters

lab: $(STAMP)
	$(VENV)/bin/jupyter lab chapters

bench: $(STAMP)
	@$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q -r requirements-bench.txt
	$(PY) benchmarks/run_all.py

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis node_modules
