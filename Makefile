# Waystation: `make html` and `make test` are the only set-up commands needed;
# both create .venv and install on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
OUTPUT ?= output
PORT ?= 8000
N ?= 10000
REPEAT ?= 1
IMPORT_N ?= 5000
RUNS ?= 3
REFS ?= hugo,plain

.PHONY: help install html publish serve devserver test lint format validate geocode new \
        schema messages bench bench-validate bench-search bench-phone bench-map bench-coordinates \
        bench-import bench-history bench-coverage clean

help:
	@echo "make html        build the site into $(OUTPUT)/ (sets up .venv on first use)"
	@echo "make test        run the whole test suite"
	@echo "make serve       serve $(OUTPUT)/ on http://127.0.0.1:$(PORT)/"
	@echo "make devserver   rebuild on change and serve"
	@echo "make validate    check every listing in providers/"
	@echo "make new         write a new listing from the template"
	@echo "make geocode     geocode new public addresses into the committed cache (network)"
	@echo "make schema      regenerate waystation/data/listing.schema.json"
	@echo "make messages    extract UI strings and update the translation catalogs"
	@echo "make lint        ruff check and format check"
	@echo "make bench       build N=$(N) synthetic listings vs Hugo + Pagefind and plain Pelican,"
	@echo "                 then the incremental rebuilds (REPEAT=3: medians; REFS=hugo: no plain)"
	@echo "make bench-validate / bench-coordinates / bench-search / bench-map / bench-history   other benchmarks"
	@echo "make bench-import  import a 5,000-service HSDS 1.1 package (RUNS=3: medians)"
	@echo "make bench-coverage  coverage report: N listings x every ZIP area x every service"
	@echo "make bench-phone  search on a throttled phone (CPU ÷4, Slow 4G): sample vs N=$(N) listings"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# axe-core (accessibility tests) and the Nu Html Checker, pinned in package-lock.json.
# --ignore-scripts: vnu-jar's postinstall would download a Java; Debian's is used.
NODE_STAMP := node_modules/.installed-stamp
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --ignore-scripts && touch $(NODE_STAMP); \
	else \
		echo "npm not found: the accessibility and HTML tests need it (apt-get install npm)"; \
	fi

install: $(STAMP)

html: $(STAMP)
	$(PY) -m pelican content -o $(OUTPUT) -s pelicanconf.py

publish: $(STAMP)
	$(PY) -m pelican content -o $(OUTPUT) -s publishconf.py

serve:
	@test -d $(OUTPUT) || { echo "no $(OUTPUT)/ yet: run 'make html' first"; exit 1; }
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory $(OUTPUT)

devserver: $(STAMP)
	$(PY) scripts/devserver.py --output $(OUTPUT) --port $(PORT)

test: $(STAMP) $(NODE_STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

validate: $(STAMP)
	$(PY) -m waystation validate

new: $(STAMP)
	$(PY) -m waystation new

geocode: $(STAMP)
	$(PY) -m waystation geocode

schema: $(STAMP)
	$(PY) -m waystation schema

messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -o waystation/locale/messages.pot \
		--no-location --sort-output --omit-header .
	$(VENV)/bin/pybabel update -i waystation/locale/messages.pot -d waystation/locale \
		--no-fuzzy-matching --omit-header

bench: $(STAMP)
	$(PY) scripts/bench_build.py --count $(N) --repeat $(REPEAT) --references $(REFS)

bench-validate: $(STAMP)
	$(PY) scripts/bench_validate.py --count $(N)

bench-search: $(STAMP)
	$(PY) scripts/bench_search.py --count $(N)

bench-phone: $(STAMP)
	$(PY) scripts/bench_phone.py --count $(N) --repeat 5

bench-coordinates: $(STAMP)
	$(PY) scripts/bench_coordinates.py --count $(N)

bench-map: $(STAMP)
	$(PY) scripts/bench_map.py --count $(N)

bench-import: $(STAMP)
	$(PY) scripts/bench_import.py --count $(IMPORT_N) --runs $(RUNS)

bench-history: $(STAMP)
	$(PY) scripts/bench_history.py --count $(or $(HISTORY_N),2000)

bench-coverage: $(STAMP)
	$(PY) scripts/bench_coverage.py --count $(N)

clean:
	rm -rf $(OUTPUT) .pytest_cache .ruff_cache
