# Two commands on a fresh machine: `make run` (the app) and `make test` (the tests).
# Both create the virtual environment in .venv first.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-slow lint format bench bundle clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

run: $(STAMP)
	$(VENV)/bin/crmdesk $(ARGS)

# The tests need a real Secret Service: Debian's dbus and gnome-keyring packages.
test: $(STAMP) lint
	tools/with-secret-service $(PY) -m pytest $(PYTEST_ARGS)

# The full-size runs (100,000-row import in bounded memory): minutes each.
test-slow: $(STAMP)
	tools/with-secret-service $(PY) -m pytest -m slow $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

format: $(STAMP)
	$(VENV)/bin/ruff check --fix src tests benchmarks
	$(VENV)/bin/ruff format src tests benchmarks

# benchmarks.startup times the real command (start-up against a bare Python) with its
# key in a private Secret Service; STARTUP_ARGS="--runs 15" passes options to it.
bench: $(STAMP)
	$(PY) -m benchmarks.run $(ARGS)
	$(PY) -m benchmarks.books
	$(PY) -m benchmarks.reports
	tools/with-secret-service $(PY) -m benchmarks.startup $(STARTUP_ARGS)

# The one-folder app in dist/crmdesk (PyInstaller), checked with its --self-test.
bundle: $(STAMP)
	VENV=$(VENV) tools/build-bundle

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
