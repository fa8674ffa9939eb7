# Two commands a newcomer needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench clean

setup: $(STAMP)

# torch==2.13.0 first: it is the CPU build; a bare `torch` pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test,ray]'
	touch $(STAMP)

run: setup
	$(BIN)/python app.py

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check src tests app.py benchmarks

bench: setup
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info src/*.egg-info
