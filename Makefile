# KetaMon: `make run` and `make test` each do all the set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DB := $(CURDIR)/.demo/ketamon-demo.sqlite3
WHEEL_DIR := build/wheel-check

.PHONY: run demo test lint contracts typecheck pytest wheel-check bench bench-quick screenshot clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.run-installed

## Launch the chair board on the default database (per-user data folder, or $KETAMON_DB).
run: $(VENV)/.run-installed
	$(BIN)/ketamon

## Launch on a separate, freshly seeded demo database (never the clinic's own).
## Its data folder (log, audit anchors) is .demo/ too: a fresh demo starts fresh anchors.
demo: $(VENV)/.run-installed
	mkdir -p $(dir $(DEMO_DB))
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(dir $(DEMO_DB))audit-anchors.txt
	KETAMON_DATA_DIR=$(dir $(DEMO_DB)) $(BIN)/ketamon demo --db sqlite:///$(DEMO_DB)
	KETAMON_DATA_DIR=$(dir $(DEMO_DB)) $(BIN)/ketamon --db sqlite:///$(DEMO_DB)

## Lint, layer contracts, the whole test suite, the installed-wheel check, and every bench
## in its quick mode (it still runs and prints its ratio; the ratio is not judged).
test: $(VENV)/.test-installed lint contracts typecheck pytest wheel-check bench-quick

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

contracts: $(VENV)/.test-installed
	$(BIN)/lint-imports

## mypy over the whole package (pyproject.toml [tool.mypy]): the strict layers with every
## function annotated, ketamon.ui and ketamon.cli with their bodies checked.
typecheck: $(VENV)/.test-installed
	$(BIN)/mypy ketamon

pytest: $(VENV)/.test-installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n 2 --dist loadfile

## Build the wheel, install it into a scratch venv, and run it from outside the source tree:
## every module imported, and a demo session's window, the review list and every dialog
## opened offscreen (.ci/wheel_smoke.py, run by the wheel's own python).
wheel-check: $(VENV)/.test-installed
	rm -rf $(WHEEL_DIR) && mkdir -p $(WHEEL_DIR)
	$(BIN)/python -m build --wheel --outdir $(WHEEL_DIR)/dist . > $(WHEEL_DIR)/build.log 2>&1 || (cat $(WHEEL_DIR)/build.log; exit 1)
	$(PYTHON) -m venv $(WHEEL_DIR)/venv
	$(WHEEL_DIR)/venv/bin/python -m pip install --quiet $(WHEEL_DIR)/dist/*.whl
	cd $(WHEEL_DIR) && env -u KETAMON_DB KETAMON_DATA_DIR=$(CURDIR)/$(WHEEL_DIR)/data venv/bin/ketamon --version
	cd $(WHEEL_DIR) && env -u KETAMON_DB KETAMON_DATA_DIR=$(CURDIR)/$(WHEEL_DIR)/data venv/bin/ketamon demo --db sqlite:///$(CURDIR)/$(WHEEL_DIR)/demo.sqlite3
	cd $(WHEEL_DIR) && env -u KETAMON_DB KETAMON_DATA_DIR=$(CURDIR)/$(WHEEL_DIR)/data QT_QPA_PLATFORM=offscreen KETAMON_QUIT_WHEN_IDLE=1 venv/bin/ketamon --db sqlite:///$(CURDIR)/$(WHEEL_DIR)/demo.sqlite3
	cd $(WHEEL_DIR) && env -u KETAMON_DB KETAMON_DATA_DIR=$(CURDIR)/$(WHEEL_DIR)/data venv/bin/ketamon audit verify --db sqlite:///$(CURDIR)/$(WHEEL_DIR)/demo.sqlite3
	cd $(WHEEL_DIR) && env -u KETAMON_DB KETAMON_DATA_DIR=$(CURDIR)/$(WHEEL_DIR)/data QT_QPA_PLATFORM=offscreen venv/bin/python $(CURDIR)/.ci/wheel_smoke.py $(CURDIR)/$(WHEEL_DIR)/smoke
	@echo "wheel-check: the installed wheel imports every module and opens every window and dialog"

## Benchmarks, full length (minutes; not part of `make test`, which runs bench-quick).
bench: $(VENV)/.test-installed
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/idle_cpu.py
	$(BIN)/python bench/vitals_save.py
	$(BIN)/python bench/summary_pdf.py
	$(BIN)/python bench/review_list.py
	$(BIN)/python bench/postgres.py
	$(BIN)/python bench/exports.py
	$(BIN)/python bench/verify.py

## Every bench in its --quick mode (seconds each, headless, scratch data folder): each must
## exit 0 and print its ratio line (bench/quick.py). Part of `make test`.
bench-quick: $(VENV)/.test-installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/quick.py

## Re-take the README screenshot under Xvfb, signed in as the demo charge nurse (needs ../shared/tools/screenshot).
screenshot: $(VENV)/.run-installed
	mkdir -p .demo && rm -f .demo/shot.sqlite3*
	$(BIN)/ketamon demo --db sqlite:///$(CURDIR)/.demo/shot.sqlite3
	../shared/tools/screenshot docs/board.png --size 1920x1080 --wait 7 \
	  --do 'xdotool mousemove 959 456 click 1; xdotool type charge.kim; xdotool mousemove 959 549 click 1; xdotool type ketamon-demo; xdotool key Return; sleep 8' \
	  -- $(BIN)/ketamon --db sqlite:///$(CURDIR)/.demo/shot.sqlite3

clean:
	rm -rf $(VENV) build .demo .pytest_cache .ruff_cache
