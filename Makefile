# Backpropagation from the ground up: the book's commands (see README.md).
#   make book    build the HTML book into _build/html (maths and widgets work offline)
#   make test    ruff, then pytest: library tests, every notebook (nbval), the book built with
#                warnings as errors, and the browser tests (static pages and live JupyterLab)
#   make lab     JupyterLab on chapters/
#   make bench   the benchmarks (installs PyTorch and numba the first time)
#   make student the notebooks without their solutions, for students, in _build/student
#   make clean   remove everything the build made (keeps .venv)
# The first command creates .venv from requirements.txt (again whenever that file changes) and
# installs the front-end assets with `npm ci` when npm is present.

SHELL := /bin/bash
PYTHON_SYS := $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
NPM := $(shell command -v npm 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := node_modules/.package-lock.json
# BACKPROP_STRICT=1: a notebook's check of the numbers its text quotes stops the build
BOOK := BACKPROP_STRICT=1 $(BIN)/jupyter-book build . -W --keep-going --all
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: book test lab bench student clean assets venv

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@if [ -z "$(PYTHON_SYS)" ]; then \
	  echo "error: python3.11 (or python3 >= 3.11) not found; install Python 3.11, then run make again." >&2; \
	  exit 1; fi
	@$(PYTHON_SYS) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "error: $(PYTHON_SYS) is Python $$($(PYTHON_SYS) -c 'import platform; print(platform.python_version())'); the book needs Python 3.11 or newer." >&2; \
	  exit 1; }
	@test -x $(BIN)/python || $(PYTHON_SYS) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements.txt
	@touch $@

# Pinned MathJax, require.js, ipywidgets HTML manager and anywidget front end (package.json,
# package-lock.json); tools/offline_assets.py copies them into the book.
assets:
ifeq ($(NPM),)
	@echo "npm not found: MathJax, require.js and the widget manager will come from CDNs (the built book then needs the internet for maths and widgets)."
else
	@$(MAKE) --no-print-directory $(ASSETS)
endif

$(ASSETS): package.json package-lock.json
	@if npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; then touch $@; else \
	  echo "npm ci failed: MathJax, require.js and the widget manager will come from CDNs."; fi

# The execution cache knows the notebooks, not the library they import (nor the explorers' JS
# embedded in their outputs): when lib/ changed since the last build, execute everything again.
LIB_STAMP := _build/.lib-built
book: $(STAMP) assets
	@if [ -f $(LIB_STAMP) ] && [ -n "$$(find lib -type f -newer $(LIB_STAMP) | head -1)" ]; then \
	  echo "lib/ changed since the last build: executing every notebook again"; \
	  rm -rf _build/.jupyter_cache; fi
	$(BOOK)
	@touch $(LIB_STAMP)

# The browser tests build the book first (tests/browser/conftest.py, with -W); pytest-xdist
# runs two workers, one test file per worker at a time, so nbval keeps each notebook's cells
# together and the book build runs beside the library tests.
test: $(STAMP) assets
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadfile --nbval-lax --ignore=chapters/_build tests chapters

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=chapters $(ALLOW_ROOT)

bench: $(STAMP)
	@$(BIN)/python -c "import torch, numba" 2>/dev/null || $(BIN)/python -m pip install -q -r requirements-bench.txt
	$(BIN)/python benchmarks/run_all.py

# Standard library only: a teacher can run it before (or without) the virtual environment.
student:
	@if [ -z "$(PYTHON_SYS)" ]; then echo "error: python3 not found; install Python 3.11, then run make again." >&2; exit 1; fi
	$(PYTHON_SYS) tools/student_notebooks.py _build/student

clean:
	rm -rf _build chapters/_build node_modules .pytest_cache .ruff_cache .hypothesis .jupyter_cache
