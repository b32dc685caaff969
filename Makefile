# vpnkit: `make demo` (the main job, offline), `make lab` (the form in JupyterLab),
# `make test` (everything CI runs), `make bench` (side-by-side with the official SDK).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.vpnkit-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: demo lab test lint unit notebooks browser bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.vpnkit-* && touch $@

demo: $(STAMP)                 ## create tunnels against the embedded emulator, no credentials
	$(BIN)/vpnkit demo

lab: $(STAMP)                  ## open the runbooks (and the form) in JupyterLab
	$(BIN)/vpnkit lab

lint: $(STAMP)
	$(BIN)/ruff check vpnkit tests bench
	$(BIN)/mypy

test: lint $(STAMP)            ## unit + emulator + notebooks (nbval) + browser tests
	$(BIN)/python -m pytest tests notebooks --nbval-lax -p no:cacheprovider

bench: $(STAMP)                ## benchmarks against the official SDK and tccli -> bench/RESULTS.md
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache artifacts *.egg-info
