# ibkr-trader: every target installs and builds what it needs first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

NPM_BIN := node_modules/.bin
STAMP := node_modules/.install-stamp
CLI := node dist/src/main.js

SYMBOLS ?= SPY
TIMEFRAME ?=
STRATEGY ?= sma
DATA ?=
SYNTHETIC ?= 50000
ARGS ?=
PROFILE ?= paper
SOURCE ?= ibkr
FROM ?=
TO ?=

PARAMS ?=

timeframe_flag = $(if $(TIMEFRAME),--timeframe $(TIMEFRAME),)
# The daemon's strategy flags; make paper trades 1-minute bars with a fast SMA pair so trades come quickly.
run_params = $(foreach p,$(PARAMS),--param $(p))
paper_params = $(foreach p,$(if $(PARAMS),$(PARAMS),$(if $(filter sma sma-crossover,$(STRATEGY)),fast=3 slow=8 fraction=0.2,)),--param $(p))
run_flags = --symbols $(SYMBOLS) --strategy $(STRATEGY) $(timeframe_flag)
data_flag = $(if $(DATA),--data $(DATA),--synthetic $(SYNTHETIC))

.PHONY: help install build typecheck lint format test backtest paper paper-ibkr ibkr-paper ibkr-live ibkr-test history bench soak clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(STAMP)

install: $(STAMP) ## install dependencies (npm ci) when node_modules is missing or stale

build: $(STAMP) ## compile TypeScript to dist/
	$(NPM_BIN)/tsc -p tsconfig.build.json
	@chmod +x dist/src/main.js

typecheck: $(STAMP) ## type-check sources, tests and benchmarks
	$(NPM_BIN)/tsc -p tsconfig.json --noEmit

lint: $(STAMP) ## ESLint (type-checked) and Prettier
	$(NPM_BIN)/eslint .
	$(NPM_BIN)/prettier --check .

format: $(STAMP) ## rewrite files with Prettier
	$(NPM_BIN)/prettier --write .

test: lint typecheck build ## lint, type-check, build and run every test
	$(NPM_BIN)/vitest run

backtest: build ## backtest: make backtest SYMBOLS=SPY STRATEGY=sma [DATA=file.csv | SYNTHETIC=50000] [TIMEFRAME=1h] [ARGS=...]
	$(CLI) backtest --symbols $(SYMBOLS) --strategy $(STRATEGY) $(timeframe_flag) $(data_flag) $(ARGS)

paper: build ## the daemon against the built-in gateway-sim (x60 clock), trading its paper account: make paper [SYMBOLS=SPY] [STRATEGY=sma] [PARAMS="fast=3 slow=8"]
	$(CLI) run --profile paper --source sim --broker ibkr --symbols $(SYMBOLS) --strategy $(STRATEGY) --timeframe $(or $(TIMEFRAME),1m) $(paper_params) --warmup 30 $(ARGS)

paper-ibkr: build ## IB data from the paper profile's TWS / Gateway, simulated fills
	$(CLI) run --profile paper --source ibkr --broker sim $(run_flags) $(run_params) $(ARGS)

ibkr-paper: build ## orders to the IB paper account of the paper profile
	$(CLI) run --profile paper --source ibkr --broker ibkr $(run_flags) $(run_params) $(ARGS)

ibkr-live: build ## LIVE orders, behind the interlock: IBKR_LIVE_CONFIRM=<account> make ibkr-live
	$(CLI) run --profile live --source ibkr --broker ibkr --live $(run_flags) $(run_params) $(ARGS)

ibkr-test: build ## check the gateway: make ibkr-test [PROFILE=paper|live] [SOURCE=ibkr|sim] [SYMBOLS=SPY]
	$(CLI) check --profile $(PROFILE) --source $(SOURCE) --symbols $(SYMBOLS) $(ARGS)

history: build ## download bars into the cache: make history SYMBOLS=SPY TIMEFRAME=1m FROM=2024-01-02 [TO=...] [SOURCE=sim]
	$(CLI) history --profile $(PROFILE) --source $(SOURCE) --symbols $(SYMBOLS) $(timeframe_flag) $(if $(FROM),--from $(FROM),) $(if $(TO),--to $(TO),) $(ARGS)

bench: build ## run every benchmark and print its figures
	node dist/bench/backtest.js
	node dist/bench/gateway-sim.js
	node dist/bench/pacing.js
	node dist/bench/feed.js
	node dist/bench/bar-cache.js
	node dist/bench/order-path.js

soak: build ## daemon soak: 100 symbols, 5 s bars, a drop every simulated hour (24 h at x20: 72 min): make soak [ARGS="--hours 3"]
	node --expose-gc dist/bench/soak.js $(ARGS)

clean: ## remove build output
	rm -rf dist coverage
