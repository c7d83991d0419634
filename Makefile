# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)

.PHONY: demo test lint format messages lock clean

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

test: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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
