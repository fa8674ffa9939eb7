# Two commands a newcomer needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# Extra `briefing serve` options for `make run`, e.g. RUN_ARGS="--port 8000".
RUN_ARGS ?=

.PHONY: setup setup-dev run test lint bench clean

# `make run` needs the runtime dependencies only; tests, browsers and Ray come with setup-dev.
setup: $(STAMP)

setup-dev: $(DEV_STAMP)

# torch==2.13.0 first: it is the CPU build; a bare `torch` pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	@test -d $(VENV) || { echo "==> creating $(VENV)"; $(PY) -m venv $(VENV); }
	@echo "==> upgrading pip"
	@$(BIN)/pip install -q --upgrade pip
	@echo "==> installing torch (CPU build, about 200 MB)"
	$(BIN)/pip install --progress-bar on torch==2.13.0
	@echo "==> installing briefing and its runtime dependencies"
	$(BIN)/pip install --progress-bar on -e .
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	@echo "==> installing the test and Ray extras"
	$(BIN)/pip install --progress-bar on -e '.[test,ray]'
	@touch $(DEV_STAMP)

# Fetch the default models when missing (nothing when present), then serve. A failed fetch
# says why in a line or two and the page still starts, naming what is missing.
run: setup
	@echo "==> fetching the models that are missing (briefing download)"
	@$(BIN)/briefing download || echo "==> starting without them: the page names the command that fetches them"
	@echo "==> starting the web page (Ctrl-C stops it)"
	@$(BIN)/python app.py $(RUN_ARGS)

test: setup-dev
	$(BIN)/python -m pytest

lint: setup-dev
	$(BIN)/ruff check src tests app.py benchmarks
	$(BIN)/mypy

bench: setup
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info src/*.egg-info
