# Stride: two commands on a fresh machine.
#   make run    set everything up and start the platform (web + grading worker) on embedded defaults
#   make test   run the whole test suite against real PostgreSQL, Redis, Celery and the sandbox
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_STAMP := var/.system-packages
JS_STAMP := tests/js/node_modules/.installed

.PHONY: run test lint format bench compose-check migrate clean-venv help

help:
	@echo "make run    start Stride on this machine (http://127.0.0.1:8000/)"
	@echo "make test   run the test suite (needs PostgreSQL and Redis; starts them if down)"
	@echo "make lint   ruff check and format check"
	@echo "make bench  run the benchmarks under benchmarks/"

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

# gift-pegjs, the reference GIFT grammar the export tests parse our GIFT with (tests/js).
$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
	  echo "make test: node and npm are needed for the GIFT export tests (tests/js);" \
	    "install them (Debian: apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --prefix tests/js --no-audit --no-fund
	@touch $(JS_STAMP)

$(SYSTEM_STAMP): scripts/system_packages.sh
	@mkdir -p var
	bash scripts/system_packages.sh
	@touch $(SYSTEM_STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py import_bank fixtures/starter_bank.yaml

run: migrate
	$(BIN)/python manage.py start

test: $(STAMP) $(SYSTEM_STAMP) $(JS_STAMP)
	$(PYTHON) scripts/ensure_services.py
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 -m "not serial"
	$(BIN)/python -m pytest -m serial

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(PYTHON) scripts/ensure_services.py
	$(BIN)/python -m benchmarks.generator_throughput
	$(BIN)/python -m benchmarks.sandbox_throughput

compose-check: $(SYSTEM_STAMP)
	docker-compose -f docker-compose.yml config --quiet

clean-venv:
	rm -rf $(VENV)
