# Wardstock: `make run` sets up and starts the app on its embedded default; `make test` runs every test.
# Both work on a fresh Debian machine with Python 3.11 and Node/npm (run as root to let them apt-get).

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEBIAN_PACKAGES := libzbar0 chromium
SHARED ?= ../shared
# The embedded default: SQLite in instance/, the training sandbox, a secret key generated once in instance/.
DEV := WARDSTOCK_ENV=development

.PHONY: run test setup system-packages static translations compile-translations db demo lock audit bench-scanners bench-sync bench-replenishment bench-trace bench-load clean

run: setup db demo
	@echo ""
	@echo "Wardstock (training sandbox) on http://$(HOST):$(PORT)/  -- demo logins: http://$(HOST):$(PORT)/training/barcodes"
	@echo "Phones on the same network: HOST=0.0.0.0 make run, then open http://<this machine's address>:$(PORT)/"
	@# The sync worker runs beside the web processes and stops with them; handhelds' answers come first (nice).
	$(DEV) nice -n 10 $(BIN)/flask --app wsgi sync worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(DEV) $(BIN)/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT) --access-logfile - wsgi:app

test: setup
	$(BIN)/pytest

setup: system-packages $(BIN)/.installed static compile-translations

# Debian packages the decoder (zbar) and the browser tests (Chromium) need.
system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Missing Debian packages: $$missing. Install them with: sudo apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi

$(BIN)/.installed: requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# Front-end packages come from npm into an ignored folder, never into the repository.
static: static/vendor/.installed

static/vendor/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/
	cp node_modules/idb/build/index.js static/vendor/idb.js
	mkdir -p static/vendor/barcode-detector
	cp node_modules/barcode-detector/dist/es/ponyfill.js node_modules/barcode-detector/dist/es/zxing-exported.js static/vendor/barcode-detector/
	cp node_modules/zxing-wasm/dist/reader/zxing_reader.wasm static/vendor/
	cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/chart.umd.js
	touch $@

# Translations (app/translations/<lang>/LC_MESSAGES/messages.po, English the source): `make translations`
# extracts every string (babel.cfg: Python, templates and the handheld's scripts) and adds the new ones
# to each catalogue to translate; setup compiles the catalogues into the ignored .mo files.
TRANSLATIONS := app/translations
translations: $(BIN)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg --sort-by-file --no-wrap --project Wardstock -c TRANSLATORS: -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel -q update --no-wrap --no-fuzzy-matching --ignore-obsolete -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)

compile-translations: $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS)

db: setup
	$(DEV) $(BIN)/flask --app wsgi db upgrade

demo: db
	$(DEV) $(BIN)/flask --app wsgi demo load

lock:
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in

# Known vulnerabilities in the pinned Python and npm packages; says loudly what it could not check.
audit: setup
	$(BIN)/python tests/hardening/audit_dependencies.py

bench-scanners: setup
	$(BIN)/python tests/bench/bench_scanners.py --data $(SHARED)/data/barcodes/dev --baselines

# BENCH_DATABASE_URL=postgresql://... to measure on PostgreSQL instead of a fresh SQLite file.
bench-sync: setup
	$(BIN)/python tests/bench/bench_sync.py $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

# A two-bin card scanned on an online handheld until its request is on a transfer: median and p95 seconds (sandbox;
# with ODOO_URL, ODOO_DB, ODOO_USER and ODOO_API_KEY or ODOO_PASSWORD set, that Odoo).
bench-replenishment: setup
	$(BIN)/python tests/bench/bench_replenishment.py

# Recall trace and expiry/waste dashboard on 20,000 lots and 200,000 moves of its own making; BENCH_DATABASE_URL as above.
bench-trace: setup
	$(BIN)/python tests/bench/bench_trace.py $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

# 50, 100 and 200 simulated handhelds over gunicorn; BENCH_DATABASE_URL=postgresql://... (a database it may create and drop).
# Catalog sizes first, then the load with each protocol in turn (legacy: before issue 18; exchange: POST /api/v1/sync).
BENCH_PROTOCOLS ?= legacy exchange
bench-load: setup
	$(BIN)/python tests/bench/bench_catalog.py
	status=0; for protocol in $(BENCH_PROTOCOLS); do \
	  $(BIN)/python tests/load/run_load.py --protocol $$protocol --devices 50,100,200 --seconds 60 $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL) --create-database) || status=1; \
	done; exit $$status

clean:
	rm -rf $(VENV) node_modules static/vendor instance/wardstock.sqlite
