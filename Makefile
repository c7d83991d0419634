# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two locked sets, every file checked against its hash (`make lock` writes them):
# requirements/production.txt is what a server installs (docs/deployment.md), and what the demo
# installs, since the demo runs the application as a server does, only with its own settings;
# requirements/dev.txt is the production set (the same versions) plus the tools for tests and
# lint (pytest, Playwright, Schemathesis, ruff, ...), which never go onto a server.
PROD_STAMP := $(VENV)/.installed-production-$(shell cksum < requirements/production.txt | cut -d' ' -f1)
STAMP := $(VENV)/.installed-dev-$(shell cksum < requirements/dev.txt | cut -d' ' -f1)
PIP_INSTALL := $(BIN)/python -m pip install --quiet --require-virtualenv --require-hashes
# The settings module is chosen explicitly: casemanager.settings, the default, is production.
DEMO_SETTINGS := DJANGO_SETTINGS_MODULE=casemanager.settings_demo
TEST_SETTINGS := DJANGO_SETTINGS_MODULE=casemanager.settings_test

.PHONY: demo test test-smoke test-deep lint format messages lock clean bench bench-quick loadtest restore-drill install-dev

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || \
		{ echo "Python 3.11 or newer is needed: '$(PYTHON)' is missing or older (set PYTHON=python3.11 or newer)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# No unpinned `pip install --upgrade pip` first: the venv's own pip checks hashes well enough.
$(PROD_STAMP): $(BIN)/python requirements/production.txt
	$(PIP_INSTALL) -r requirements/production.txt
	rm -f $(VENV)/.installed-production-*
	touch $@

$(STAMP): $(BIN)/python requirements/dev.txt
	$(PIP_INSTALL) -r requirements/dev.txt
	rm -f $(VENV)/.installed-dev-*
	touch $@

# The virtualenv with the dev set only (CI fetches it while apt-get works).
install-dev: $(STAMP)

# `make demo PORT=8010` serves on another port when 8000 is taken.
PORT ?= 8000

demo: $(PROD_STAMP)
	$(DEMO_SETTINGS) $(BIN)/python manage.py migrate --noinput
	$(DEMO_SETTINGS) $(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl+C stops)"
	$(DEMO_SETTINGS) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# `make test`: the whole suite on every core (pytest-xdist, TEST_WORKERS=auto; TEST_WORKERS=0
# runs it in one process; the tests that read the seeded demo share one worker, so it is seeded
# once; on PostgreSQL the workers' test databases are copies of one migrated template, see
# tests/suite.py); `make test COVERAGE=1` adds the coverage of apps/ (pytest-cov; on Python 3.11 it makes
# the run about 40 % slower, which CI cannot afford). Hypothesis runs its small profile;
# `make test-deep` runs the Hypothesis tests with the large one, and the tests marked `deep`
# (the data migrations of earlier releases, a minute each) that `make test` leaves out.
# `make test-smoke`: the few dozen tests marked smoke, in one process (CI: on SQLite).
# PYTEST_ARGS is passed on to pytest, e.g. PYTEST_ARGS='tests/funding -x'.
TEST_WORKERS ?= auto
COVERAGE ?= 0
# Both come with the dev set (requirements/dev.txt).
# --durations: the slowest tests in every run's output, CI's included (its 15 minutes).
PYTEST_PARALLEL = -n $(TEST_WORKERS) --dist loadgroup -m "not deep" --durations=30 \
	$(if $(filter 1,$(COVERAGE)),--cov --cov-report=term:skip-covered)

test: $(STAMP)
	$(TEST_SETTINGS) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_SETTINGS) COVERAGE_FILE=$(VENV)/.coverage $(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-smoke: $(STAMP)
	$(TEST_SETTINGS) $(BIN)/python -m pytest -m smoke $(PYTEST_ARGS)

test-deep: $(STAMP)
	$(TEST_SETTINGS) HYPOTHESIS_PROFILE=deep $(BIN)/python -m pytest -m "hypothesis or deep" \
		-n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # the apps' layers (docs/architecture.md)

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the translation catalogues after changing user-facing text, then translate the
# new entries in locale/*/LC_MESSAGES/django.po and run `make messages` again to compile.
messages: $(STAMP)
	$(DEMO_SETTINGS) $(BIN)/python manage.py makemessages --locale nl --locale en --ignore '.venv/*' --ignore 'bench/*'
	$(DEMO_SETTINGS) $(BIN)/python manage.py compilemessages --ignore '.venv/*'

# Write both locked sets from pyproject.toml, with hashes: production.txt from its dependencies,
# dev.txt from those and the dev extra, held to production.txt's versions. Versions already in
# the files are kept; `make lock UPGRADE=1` moves everything to the newest allowed versions.
LOCK := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(LOCK) -o requirements/production.txt pyproject.toml
	$(LOCK) --extra dev -c requirements/production.txt -o requirements/dev.txt pyproject.toml

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache

# Benchmarks at national scale, a load test and a restore drill (docs/performance.md). They need
# PostgreSQL on 127.0.0.1:5432 (user postgres, trust) with its client tools (pg_dump, pg_restore),
# openssl (the load test's self-signed certificate) and, for the broker, Redis on 127.0.0.1:6379.
# bench-quick: a small data set, about 20 minutes; bench: the default scale, an hour or more (it
# also measures the quick scale's pages first, for the "within 2x of quick" goals). Each writes
# one results folder, bench/results/<scale>/, which bench/report.py turns into the tables of
# docs/performance.md: every figure of the page from one run.
BENCH_DB ?= casemanager_bench
BENCH_QUICK_DB ?= casemanager_bench_quick
BENCH_STAMP := $(VENV)/.bench-$(shell cksum < bench/requirements.txt | cut -d' ' -f1)
BENCH_RUNS ?= 30

# The load test's people: enough to keep half of the cores busy by the in-process medians of
# bench/run.py (in the run of docs/performance.md the machine was 58 % busy). Aimed at 90 %, an
# earlier run offered more requests than two cores serve and its queue grew through the whole
# measured phase: an overload, not the pages. A load test with errors does not stop the run
# (its leading "-"): the restore drill and the report still run, and the report marks them.
LOAD_AIM ?= --utilisation 0.5

$(BENCH_STAMP): $(STAMP) bench/requirements.txt
	$(BIN)/python -m pip install --quiet --require-virtualenv -r bench/requirements.txt
	rm -f $(VENV)/.bench-*
	touch $@

bench-quick: export BENCH_RESULTS = $(CURDIR)/bench/results/quick
bench-quick: $(BENCH_STAMP)
	rm -rf $(BENCH_RESULTS) && mkdir -p $(BENCH_RESULTS)
	$(BIN)/python -m bench.generate --scale quick --db $(BENCH_QUICK_DB)
	$(BIN)/python -m bench.run --db $(BENCH_QUICK_DB) --label quick --runs $(BENCH_RUNS) --burst 200 --pdf-rounds 2
	$(BIN)/python -m bench.indexes --db $(BENCH_QUICK_DB) --label quick
	$(BIN)/python -m bench.declarations --db $(BENCH_QUICK_DB) --label quick
	-$(BIN)/python -m bench.loadtest --db $(BENCH_QUICK_DB) --label quick --ramp-up 60 --duration 120 $(LOAD_AIM)
	$(BIN)/python -m bench.restore_drill --source $(BENCH_QUICK_DB)
	$(BIN)/python -m bench.report --label quick

bench: export BENCH_RESULTS = $(CURDIR)/bench/results/default
bench: $(BENCH_STAMP)
	rm -rf $(BENCH_RESULTS) && mkdir -p $(BENCH_RESULTS)
	$(BIN)/python -m bench.generate --scale quick --db $(BENCH_QUICK_DB)
	$(BIN)/python -m bench.run --db $(BENCH_QUICK_DB) --label quick --runs $(BENCH_RUNS) --only nightly,pages,api,funding
	$(BIN)/python -m bench.generate --scale default --db $(BENCH_DB)
	$(BIN)/python -m bench.run --db $(BENCH_DB) --label default --runs $(BENCH_RUNS) --pdf-rounds 2
	$(BIN)/python -m bench.indexes --db $(BENCH_DB) --label default
	$(BIN)/python -m bench.declarations --db $(BENCH_DB) --label default
	-$(BIN)/python -m bench.loadtest --db $(BENCH_DB) --label default --ramp-up 120 --duration 300 $(LOAD_AIM)
	$(BIN)/python -m bench.restore_drill --source $(BENCH_DB)
	$(BIN)/python -m bench.report --label default --baseline quick

# The load test alone, against an existing bench database (make bench generates one).
loadtest: export BENCH_RESULTS = $(CURDIR)/bench/results/loadtest
loadtest: $(BENCH_STAMP)
	$(BIN)/python -m bench.loadtest --db $(BENCH_DB) --label default --ramp-up 120 --duration 300 $(LOAD_AIM)

# pg_dump a freshly seeded demo database, pg_restore it into a new one and compare the counts.
restore-drill: $(STAMP)
	$(BIN)/python -m bench.restore_drill --seed-demo
