# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)

.PHONY: demo test test-smoke test-deep lint format messages lock clean bench bench-quick loadtest restore-drill

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || \
		{ echo "Python 3.11 or newer is needed: '$(PYTHON)' is missing or older (set PYTHON=python3.11 or newer)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements.lock
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-virtualenv -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $@

demo: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:8000/ (Ctrl+C stops)"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# `make test`: the whole suite on every core (pytest-xdist, TEST_WORKERS=auto; TEST_WORKERS=0
# runs it in one process) with the coverage of apps/ (pytest-cov). Hypothesis runs its small
# profile; `make test-deep` runs the Hypothesis tests alone with the large one (tests/suite.py).
# `make test-smoke`: the few dozen tests marked smoke, in one process (CI: on SQLite).
# PYTEST_ARGS is passed on to pytest, e.g. PYTEST_ARGS='tests/funding -x'.
TEST_WORKERS ?= auto
# Both come with the dev extra (requirements.lock); without them the suite runs in one process
# and without coverage, and says so.
PYTEST_PARALLEL = $(shell $(BIN)/python -c 'import xdist, pytest_cov' 2>/dev/null \
	&& echo '-n $(TEST_WORKERS) --cov --cov-report=term:skip-covered')

test: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run
	@[ -n "$(PYTEST_PARALLEL)" ] || echo "pytest-xdist or pytest-cov is missing: one process, no coverage"
	COVERAGE_FILE=$(VENV)/.coverage $(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-smoke: $(STAMP)
	$(BIN)/python -m pytest -m smoke $(PYTEST_ARGS)

test-deep: $(STAMP)
	HYPOTHESIS_PROFILE=deep $(BIN)/python -m pytest -m hypothesis \
		$(subst --cov --cov-report=term:skip-covered,,$(PYTEST_PARALLEL)) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the translation catalogues after changing user-facing text, then translate the
# new entries in locale/*/LC_MESSAGES/django.po and run `make messages` again to compile.
messages: $(STAMP)
	$(BIN)/python manage.py makemessages --locale nl --locale en --ignore '.venv/*' --ignore 'bench/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

# Re-resolve the exact versions in requirements.lock from pyproject.toml.
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url \
		--no-emit-find-links -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache

# Benchmarks at national scale, a load test and a restore drill (docs/performance.md). They need
# PostgreSQL on 127.0.0.1:5432 (user postgres, trust) with its client tools (pg_dump, pg_restore),
# openssl (the load test's self-signed certificate) and, for the broker, Redis on 127.0.0.1:6379.
# bench-quick: a small data set, about 5 minutes; bench: the default scale, about 30 minutes.
BENCH_DB ?= casemanager_bench
BENCH_QUICK_DB ?= casemanager_bench_quick
BENCH_STAMP := $(VENV)/.bench-$(shell cksum < bench/requirements.txt | cut -d' ' -f1)

$(BENCH_STAMP): $(STAMP) bench/requirements.txt
	$(BIN)/python -m pip install --quiet --require-virtualenv -r bench/requirements.txt
	rm -f $(VENV)/.bench-*
	touch $@

bench-quick: $(BENCH_STAMP)
	$(BIN)/python -m bench.generate --scale quick --db $(BENCH_QUICK_DB)
	$(BIN)/python -m bench.run --db $(BENCH_QUICK_DB) --label quick --runs 20
	$(BIN)/python -m bench.loadtest --db $(BENCH_QUICK_DB) --label quick --users 9 --duration 45
	$(BIN)/python -m bench.restore_drill --source $(BENCH_QUICK_DB)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.generate --scale default --db $(BENCH_DB)
	$(BIN)/python -m bench.run --db $(BENCH_DB) --label default --runs 30
	$(BIN)/python -m bench.loadtest --db $(BENCH_DB) --label default --users 30 --duration 120
	$(BIN)/python -m bench.restore_drill --source $(BENCH_DB)

# The load test alone, against an existing bench database (make bench generates one).
loadtest: $(BENCH_STAMP)
	$(BIN)/python -m bench.loadtest --db $(BENCH_DB) --label default --users 30 --duration 120

# pg_dump a freshly seeded demo database, pg_restore it into a new one and compare the counts.
restore-drill: $(STAMP)
	$(BIN)/python -m bench.restore_drill --seed-demo
