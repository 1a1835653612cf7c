# SafetyWalk. `make run` serves the app; `make test` runs the whole suite on SQLite and PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run cluster test test-sqlite test-postgres lint venv test-deps system-deps messages bench clean

# uv installs a fresh venv in seconds; it comes from PyPI into the venv itself.
$(BIN)/uv:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

# Reinstall only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[test]'
	touch $@

venv: $(VENV)/.installed
test-deps: $(VENV)/.installed-test
# Chromium, fonts, Pango and PostgreSQL for the tests, when missing (as root, with sudo -n, or
# it stops and prints the command to run); one script shared with .ci/run.
system-deps:
	@scripts/install-test-system-deps

run: venv
	$(BIN)/safetywalk migrate
	$(BIN)/safetywalk load-demo --if-empty
	$(BIN)/safetywalk serve --host $(HOST) --port $(PORT)

# Two app servers sharing one port, an outbox worker, PostgreSQL and an S3-compatible store (moto)
# as plain processes on this machine (port 8080); README "Several app servers".
# E.g. CLUSTER_ARGS="--media local --port 9000".
cluster: test-deps
	$(BIN)/python scripts/cluster $(CLUSTER_ARGS)

# Both engines: scripts/with-postgres starts a throwaway PostgreSQL (CI fails without one);
# scripts/test-engines runs SQLite (local photos) and PostgreSQL (photos in S3) side by side.
# test-sqlite / test-postgres run one engine alone.
# system-deps comes first: the venv itself may need python3-venv.
test: system-deps test-deps
	$(BIN)/ruff check app tests bench migrations/env.py
	$(BIN)/lint-imports
	scripts/with-postgres scripts/test-engines $(PYTEST_ARGS)

test-sqlite: test-deps
	SAFETYWALK_TEST_ENGINE=sqlite SAFETYWALK_TEST_MEDIA=local $(BIN)/pytest $(PYTEST_ARGS)

# The PostgreSQL run keeps the photos in object storage (moto's S3 server, started by the tests),
# so the suite runs once on the local folder and once on a bucket.
test-postgres: test-deps
	@if [ -n "$$SAFETYWALK_TEST_DATABASE_URL" ]; then \
		SAFETYWALK_TEST_ENGINE=postgresql SAFETYWALK_TEST_MEDIA=s3 $(BIN)/pytest $(PYTEST_ARGS); \
	else echo "no PostgreSQL: the PostgreSQL run was not made"; fi

lint: test-deps
	$(BIN)/ruff check app tests bench migrations/env.py
	$(BIN)/ruff format --check app tests bench
	$(BIN)/lint-imports

# After changing user-facing strings: re-extract them and update both catalogs the Babel way.
# Then translate the new (empty) and fuzzy entries in app/translations/sv/LC_MESSAGES/messages.po;
# the test suite fails while one is left. English is the source language.
messages: test-deps
	$(BIN)/pybabel -q extract -F babel.cfg -o app/translations/messages.pot --no-location --sort-output -k _ -k gettext -k ngettext:1,2 .
	$(BIN)/pybabel -q update -i app/translations/messages.pot -d app/translations --ignore-obsolete --width 100
	$(BIN)/pybabel compile --statistics -d app/translations -o /dev/null -l sv -i app/translations/sv/LC_MESSAGES/messages.po

bench: test-deps
	$(BIN)/python bench/photo_pipeline.py
	scripts/with-postgres $(BIN)/python bench/capture_bench.py
	$(BIN)/python bench/queue_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
