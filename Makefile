# The two commands of the README: `make run` (demo shop) and `make test` (whole suite).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= $(HOME)/.local/share/loyalty-desktop-demo

.PHONY: run test venv demo lint bench clean bundle selftest

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

# The terminal as a one-folder PyInstaller bundle in dist/, then its size, its self-test and
# its time to the first-run wizard (packaging/measure_bundle.py; fails if the bundle is broken).
PYINSTALLER_VERSION ?= 6.22.3
BUNDLE := dist/loyalty-desktop

bundle: $(STAMP)
	$(BIN)/python -m pip install --quiet pyinstaller==$(PYINSTALLER_VERSION)
	$(BIN)/python -m PyInstaller --noconfirm --log-level WARN --distpath dist \
		--workpath build/pyinstaller packaging/loyalty-desktop.spec
	QT_QPA_PLATFORM=offscreen $(BIN)/python packaging/measure_bundle.py $(BUNDLE)

# The same self-test from the checkout (no bundle needed).
selftest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m loyalty_desktop.selftest
