# The README's commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format migrate demo superuser bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

## run: install, migrate, load the demo content and serve on http://127.0.0.1:8000
run: $(VENV)/.installed
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py load_demo
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

## test: install the dev tools and run the whole suite (the browser suite when Chromium is
## installed) on every core (pytest-xdist); TEST_WORKERS=0 runs it in this one process, e.g.
## make test TEST_WORKERS=0 PYTEST_ARGS="tests/movies/test_browse.py -k years"
TEST_WORKERS ?= auto
test: $(VENV)/.installed-dev
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## lint: ruff's linter and formatter check
lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

superuser: migrate
	$(PY) manage.py createsuperuser

## bench: build the benchmark databases (17,472 real films, 1M reviews) once, then measure
## on SQLite and PostgreSQL; writes bench/RESULTS.md (BENCH_ARGS=--help for options)
bench: $(VENV)/.installed-dev
	$(PIP) install --quiet -r requirements-data.txt
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache test-artifacts
