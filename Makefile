# Study group: `make run` serves the app with demo data, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup messages migrate demo clean bench bench-throughput

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

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

# Queries and server time of every main page at small and large scale, in
# databases of their own (SQLite under /tmp; PostgreSQL when DATABASE_URL is set).
bench: setup
	$(PY) -m tests.benchmarks.bench_pages $(BENCH_ARGS)

# gunicorn on PostgreSQL under load: needs DATABASE_URL=postgres://...
bench-throughput: setup
	$(PY) -m tests.benchmarks.bench_throughput $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles
