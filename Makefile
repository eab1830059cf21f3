# Convenience targets; each one creates .venv itself.  The README's two
# commands are the plain-python equivalents of `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/qingxi: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -e ".[test]"
	touch $@

demo: $(BIN)/qingxi
	$(BIN)/qingxi run data/samples --out out

test: $(BIN)/qingxi
	$(BIN)/python -m pytest

lint: $(BIN)/qingxi
	$(BIN)/pip install -q ruff
	$(BIN)/ruff check cleaners flows tests bench

bench: $(BIN)/qingxi
	$(BIN)/python bench/run.py

clean:
	rm -rf out build *.egg-info
