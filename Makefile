# renda: `make run` serves the demo site, `make test` runs the whole suite against PostgreSQL.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/renda
# Processes the suite runs in (pytest-xdist; each has its own test database and browser); 0 runs it in one.
TEST_WORKERS ?= 2
PYTHON_WANTED := 3.13
BENCHES := import pdf pages search docx wording similar
# Our CKEditor 5 build, served in place of django-ckeditor-5's bundled 47.5.0 (see ckeditor/build.mjs).
CKEDITOR_BUNDLE := static/django_ckeditor_5/dist/bundle.js
NPM_STAMP := node_modules/.installed
# SortableJS for the desk's drag and drop, copied from its npm package (pinned in package.json) with its licence.
SORTABLE := static/vendor/sortablejs/Sortable.min.js

# The interpreter that builds the venv: python3.13 on PATH, else pyenv's 3.13.x.
PYTHON ?= $(shell command -v python$(PYTHON_WANTED) 2>/dev/null || ls -d $$HOME/.pyenv/versions/$(PYTHON_WANTED).*/bin/python3 2>/dev/null | tail -n 1)

SYSTEM_PACKAGES := fonts-noto-cjk fonts-noto-cjk-extra fonts-lxgw-wenkai libpango-1.0-0 libpangoft2-1.0-0 \
	libharfbuzz-subset0 poppler-utils chromium gettext postgresql redis-server wrk

.PHONY: help install system-packages run test test-fast lint bench $(addprefix bench-,$(BENCHES)) bench-load clean

help:
	@echo "make run    install, migrate, load the sample issues and serve http://127.0.0.1:8000"
	@echo "make test   install and run ruff, the migrations check and the test suite on PostgreSQL"
	@echo "make test-fast  the suite without the Chromium tests and the slow modules (a quick loop)"
	@echo "make bench  run the benchmark scripts in bench/ (or one: make bench-import|pdf|pages|search|docx|wording|similar)"
	@echo "make bench-load  200 concurrent readers for 60 s against gunicorn (wrk; not part of make bench)"

MESSAGES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

install: system-packages $(STAMP) $(CKEDITOR_BUNDLE) $(SORTABLE) $(MESSAGES)

locale/%.mo: locale/%.po
	@if command -v msgfmt >/dev/null; then msgfmt --check-format -o $@ $<; \
	else echo "msgfmt (Debian package gettext) is missing: a few admin strings stay in English."; fi

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "Python $(PYTHON_WANTED) is needed (Django 6 requires 3.12+; the project pins $(PYTHON_WANTED))."; \
		echo "Install it (e.g. 'pyenv install $(PYTHON_WANTED)' or your distribution's python$(PYTHON_WANTED)) or run 'make PYTHON=/path/to/python$(PYTHON_WANTED)'."; \
		exit 1; fi
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))'; then \
		echo "Recreating $(VENV): it was built with another Python."; rm -rf $(VENV); fi
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { \
		if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
			echo "Installing Node.js and npm (to build CKEditor)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
		else echo "npm is needed to build CKEditor: apt-get install nodejs npm"; exit 1; fi; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NPM_STAMP)

$(CKEDITOR_BUNDLE): $(NPM_STAMP) $(STAMP) ckeditor/build.mjs ckeditor/editor.js ckeditor/character-count.js
	node ckeditor/build.mjs "$$($(PY) -c 'import django_ckeditor_5, pathlib; print(pathlib.Path(django_ckeditor_5.__file__).parent / "static/django_ckeditor_5/app.js")')"

$(SORTABLE): $(NPM_STAMP)
	mkdir -p $(dir $@)
	cp node_modules/sortablejs/Sortable.min.js node_modules/sortablejs/LICENSE $(dir $@)

# Debian packages for PDF rendering (Pango, HarfBuzz subsetting, CJK fonts), pdftotext, the browser tests, and the
# servers `make test` uses (PostgreSQL, Redis). npm is installed by $(NPM_STAMP) if `npm` is missing (NodeSource's
# nodejs package brings its own).
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
			echo "Installing system packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		elif command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then \
			sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "Missing system packages:$$missing"; \
			echo "Install them as root: apt-get install$$missing"; \
			echo "(PDF output and the browser tests need them; the rest of the site works without.)"; \
		fi; fi

run: install
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 $(PY) manage.py load_network_demo
	@# The background worker renders issue PDFs after publishing and sends the daily 催报 reminders; it stops
	@# with the server.
	DEBUG=1 $(PY) manage.py db_worker > db_worker.log 2>&1 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT; \
		DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install lint
	@# The server TEST_DATABASE_URL names; a local one that is not answering is started.
	@read -r host port <<< "$$($(PY) -m renda.ensure_database --server "$(TEST_DATABASE_URL)")"; \
	if ! pg_isready -q -h "$$host" -p "$$port" 2>/dev/null; then \
		echo "PostgreSQL is not answering on $$host:$$port."; \
		case "$$host" in 127.0.0.1|localhost|::1|/*) echo "Trying to start the local cluster."; \
			pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start 2>/dev/null || true; sleep 2;; esac; \
		pg_isready -q -h "$$host" -p "$$port" || { echo "Start PostgreSQL, or set TEST_DATABASE_URL."; exit 1; }; fi
	@# The shared-cache tests use Redis (TEST_REDIS_URL, default database 11 on 127.0.0.1:6379).
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { echo "Starting redis-server on 127.0.0.1:6379."; \
		redis-server --bind 127.0.0.1 --port 6379 --save '' --daemonize yes >/dev/null; sleep 1; }
	$(PY) -m renda.ensure_database $(TEST_DATABASE_URL)
	DATABASE_URL=$(TEST_DATABASE_URL) SECRET_KEY=test $(PY) manage.py makemigrations --check --dry-run
	DATABASE_URL=$(TEST_DATABASE_URL) SECRET_KEY=test $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The quick loop: everything but the Chromium tests and the slow modules (tests/conftest.py marks them).
test-fast: install
	$(PY) -m renda.ensure_database $(TEST_DATABASE_URL)
	DATABASE_URL=$(TEST_DATABASE_URL) SECRET_KEY=test $(PY) -m pytest -n $(TEST_WORKERS) -m "not browser and not slow" $(PYTEST_ARGS)

bench: $(addprefix bench-,$(BENCHES))

bench-import bench-pdf bench-pages bench-search bench-docx bench-wording bench-similar: bench-%: install
	$(PY) -m renda.ensure_database $(TEST_DATABASE_URL)
	DATABASE_URL=$(TEST_DATABASE_URL) SECRET_KEY=bench LOG_LEVEL=WARNING $(PY) bench/$(subst docx,docx_import,$(subst pages,page,$*))_bench.py $(BENCH_ARGS)

# 200 readers for 60 s over the public pages (wrk, from SYSTEM_PACKAGES, drives the load).
bench-load: install
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --bind 127.0.0.1 --port 6379 --save '' --daemonize yes >/dev/null
	$(PY) -m renda.ensure_database $(TEST_DATABASE_URL)
	DATABASE_URL=$(TEST_DATABASE_URL) SECRET_KEY=bench $(PY) bench/load_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache node_modules static/django_ckeditor_5/dist static/vendor
