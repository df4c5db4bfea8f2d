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

timeframe_flag = $(if $(TIMEFRAME),--timeframe $(TIMEFRAME),)
data_flag = $(if $(DATA),--data $(DATA),--synthetic $(SYNTHETIC))

.PHONY: help install build typecheck lint format test backtest ibkr-test history bench clean

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

clean: ## remove build output
	rm -rf dist coverage
