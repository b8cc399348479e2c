# The two commands of the README: `make run` (demo shop) and `make test` (whole suite).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= $(HOME)/.local/share/loyalty-desktop-demo

.PHONY: run test venv demo lint bench clean bundle

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PY) not found)"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server,dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/loyalty-desktop --data-dir "$(DEMO_DIR)" open --demo

demo: $(STAMP)
	$(BIN)/loyalty-desktop --data-dir "$(DEMO_DIR)" demo

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check loyalty_desktop tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/checkout.py

clean:
	rm -rf $(VENV) build dist *.egg-info
