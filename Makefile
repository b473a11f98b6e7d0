# Two commands on a fresh machine: `make run` (the app) and `make test` (the tests).
# Both create the virtual environment in .venv first.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-slow lint format bench bench-smoke bundle clean

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

# benchmarks.run: encryption's cost, bulk paths, a trail of a million audit entries and an
# office of 10,000 clients syncing (the smoke run needs Syncthing for all of its sync part);
# it ends with the README's table (ARGS="--only audit" runs one section, see its --help).
# benchmarks.startup times the real command (start-up against a bare Python) with its
# key in a private Secret Service; STARTUP_ARGS="--runs 15" passes options to it.
# benchmarks.gui drives the real window offscreen (GUI_ARGS="--quick": 2,000 clients).
bench: $(STAMP)
	$(PY) -m benchmarks.run $(ARGS)
	$(PY) -m benchmarks.books
	$(PY) -m benchmarks.reports
	$(PY) -m benchmarks.io_speed
	tools/with-secret-service $(PY) -m benchmarks.startup $(STARTUP_ARGS)
	tools/with-secret-service $(PY) -m benchmarks.gui $(GUI_ARGS)

# Every benchmark's code path at a small size (200 clients), in CI so that none rots.
bench-smoke: $(STAMP)
	$(PY) -m benchmarks.run --smoke
	$(PY) -m benchmarks.books --clients 200
	$(PY) -m benchmarks.reports --smoke
	$(PY) -m benchmarks.coverage --clients 200
	$(PY) -m benchmarks.io_speed --rows 200
	$(PY) -m benchmarks.view --clients 200 --views 50
	$(PY) -m benchmarks.backup_stages --clients 200 --runs 1
	$(PY) -m benchmarks.report_memory list 200
	$(PY) -m benchmarks.report_memory access 500
	tools/with-secret-service $(PY) -m benchmarks.startup --clients 200 --runs 1
	tools/with-secret-service $(PY) -m benchmarks.gui --clients 200 --runs 1

# The one-folder app in dist/crmdesk (PyInstaller), checked with its --self-test.
bundle: $(STAMP)
	VENV=$(VENV) tools/build-bundle

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
