# Study group: `make run` serves the app with demo data, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Exact versions: requirements/lock.txt (the app) and requirements/dev-lock.txt
# (the app and its test tools), both from pyproject.toml by `make lock`.
LOCK := requirements/dev-lock.txt
PIP_COMPILE := $(PY) -m piptools compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: run test lint setup messages migrate demo clean bench bench-throughput lock

$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

# After changing the dependencies in pyproject.toml (or to take newer
# versions: `make lock LOCK_ARGS=--upgrade`); commit both files.
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "pip-tools>=7.5,<8"
	CUSTOM_COMPILE_COMMAND="make lock" $(PIP_COMPILE) $(LOCK_ARGS) --output-file requirements/lock.txt pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(PIP_COMPILE) $(LOCK_ARGS) --extra dev --output-file requirements/dev-lock.txt pyproject.toml

setup: $(VENV)/.installed messages

messages: $(VENV)/.installed
	$(PY) manage.py compiletranslations

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# The task worker runs beside the development server, as in production: it
# sends the notification emails (printed to this console); both stop together.
run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ (task worker beside it)"
	@$(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Queries and server time of every main page at small and large scale, in
# databases of their own (SQLite under /tmp; PostgreSQL when DATABASE_URL is set).
bench: setup
	$(PY) -m tests.benchmarks.bench_pages $(BENCH_ARGS)

# gunicorn on PostgreSQL under load: needs DATABASE_URL=postgres://...
bench-throughput: setup
	$(PY) -m tests.benchmarks.bench_throughput $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles
