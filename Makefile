# The two commands a newcomer needs: `make run` and `make test`.
VENV   := .venv
BIN    := $(VENV)/bin
PYTHON ?= python3
STAMP  := $(VENV)/.installed
# Spectral (the OpenAPI linter the tests run) from the npm registry, at a
# pinned version, into a git-ignored folder of the project.
SPECTRAL_VERSION := 6.16.3
SPECTRAL_DIR     := .tools/spectral
SPECTRAL         := $(SPECTRAL_DIR)/node_modules/.bin/spectral
SPECTRAL_STAMP   := $(SPECTRAL_DIR)/.installed-$(SPECTRAL_VERSION)
# Redocly's linter (its `recommended` rules), the same way.
REDOCLY_VERSION  := 2.77.0
REDOCLY_DIR      := .tools/redocly
REDOCLY_STAMP    := $(REDOCLY_DIR)/.installed-$(REDOCLY_VERSION)
# The TypeScript client the tests generate and type-check: openapi-typescript,
# openapi-fetch and tsc, the same way (node itself from Debian).
OPENAPI_TS_VERSION    := 7.13.0
OPENAPI_FETCH_VERSION := 0.17.0
TYPESCRIPT_VERSION    := 5.9.3
TYPESCRIPT_DIR        := .tools/typescript
TYPESCRIPT_STAMP      := $(TYPESCRIPT_DIR)/.installed-$(OPENAPI_TS_VERSION)-$(OPENAPI_FETCH_VERSION)-$(TYPESCRIPT_VERSION)

.PHONY: install test-tools run test test-sqlite test-postgres lint bench bench-smoke clean screenshots

$(STAMP): setup.cfg pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

$(SPECTRAL_STAMP):
	@command -v npm >/dev/null || { echo "npm is missing: apt-get install npm (Debian), or run .ci/run as root" >&2; exit 1; }
	mkdir -p $(SPECTRAL_DIR)
	echo '{"private": true}' > $(SPECTRAL_DIR)/package.json
	cd $(SPECTRAL_DIR) && npm install --no-audit --no-fund --silent @stoplight/spectral-cli@$(SPECTRAL_VERSION)
	touch $(SPECTRAL_STAMP)

$(REDOCLY_STAMP):
	@command -v npm >/dev/null || { echo "npm is missing: apt-get install npm (Debian), or run .ci/run as root" >&2; exit 1; }
	mkdir -p $(REDOCLY_DIR)
	echo '{"private": true}' > $(REDOCLY_DIR)/package.json
	cd $(REDOCLY_DIR) && npm install --no-audit --no-fund --silent @redocly/cli@$(REDOCLY_VERSION)
	touch $(REDOCLY_STAMP)

$(TYPESCRIPT_STAMP):
	@command -v npm >/dev/null || { echo "npm is missing: apt-get install npm (Debian), or run .ci/run as root" >&2; exit 1; }
	mkdir -p $(TYPESCRIPT_DIR)
	echo '{"private": true}' > $(TYPESCRIPT_DIR)/package.json
	cd $(TYPESCRIPT_DIR) && npm install --no-audit --no-fund --silent openapi-typescript@$(OPENAPI_TS_VERSION) \
		openapi-fetch@$(OPENAPI_FETCH_VERSION) typescript@$(TYPESCRIPT_VERSION)
	touch $(TYPESCRIPT_STAMP)

install: $(STAMP)

## The tools the tests need beside the Python packages (Spectral, Redocly,
## the TypeScript client's generator and compiler).
test-tools: $(SPECTRAL_STAMP) $(REDOCLY_STAMP) $(TYPESCRIPT_STAMP)

## make run: install, prepare the SQLite database with the bundled content,
## then run the server and the push worker until Ctrl-C.
run: install
	$(BIN)/kompas init
	@trap 'kill $$(jobs -p) 2>/dev/null; wait' INT TERM EXIT; \
	$(BIN)/kompas push worker & \
	$(BIN)/kompas serve & \
	wait

## make lint: ruff, the import contracts (docs/architecture.md), dead code
## (vulture, pyproject.toml) and code repeated in six or more lines (pylint).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/vulture
	$(BIN)/pylint --disable=all --enable=duplicate-code --min-similarity-lines=6 --score=n api dilemmas scoring push content

test-sqlite: install test-tools
	$(BIN)/pytest -q

## PostgreSQL: a throwaway cluster from the machine's server binaries, or
## the server in KOMPAS_TEST_DATABASE_URL. Fails (never skips) without one.
test-postgres: install test-tools
	$(BIN)/pytest -q --postgres

## make test: lint, the layer contracts, the benchmarks' smoke run, then the
## whole suite on SQLite and on PostgreSQL, the two halves side by side
## (independent processes, one core each; each prints its report when it
## ends). Where a test runs, and why it runs once or twice: tests/conftest.py.
test: lint bench-smoke test-tools
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

## make screenshots: every page of the office console at 1280 and 390
## pixels wide, every state of the presenter screen at 1920x1080 and the
## browser's join pages at 390, into screenshots/ (not committed), with the
## axe and overflow checks. Needs Debian's chromium (/usr/bin/chromium);
## downloads no browser.
screenshots: install
	rm -rf screenshots
	KOMPAS_SCREENSHOTS=$(CURDIR)/screenshots $(BIN)/pytest -q tests/browser/test_console_pages.py \
		tests/browser/test_presenter_states.py tests/browser/test_join_on_the_web.py tests/browser/test_console_editions.py
	@echo "screenshots in $(CURDIR)/screenshots"

## make bench: the benchmarks (bench/README.md), each against a baseline
## measured in the same run; one table at the end. Needs wrk (installed from
## Debian's packages when missing, as root) and PostgreSQL's server binaries.
bench: install
	$(BIN)/python -m bench

## make bench-smoke: every benchmark for a second or two at tiny sizes (under
## a minute); fails when one crashes or sees an error, never on a time.
bench-smoke: install
	$(BIN)/python -m bench --smoke

clean:
	rm -rf $(VENV) .tools instance .pytest_cache .ruff_cache build *.egg-info screenshots
