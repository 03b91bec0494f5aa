# rb's day-to-day commands. `rb` is node_modules/.bin/rb, as in any app that installs @rbsql/cli
# (no npx: it costs ~0.5 s a call).
RB := node_modules/.bin/rb
UVU := node --import tsx node_modules/uvu/bin.js
steps ?= 1

.PHONY: install build pg-client-tools upgrade-db upgrade-prod-db revision downgrade history db-start db-stop test acceptance bench typecheck dump-and-restore-to-prod types check run-script

# User text (name=, script=, steps=, args=) reaches the recipes through the environment and is
# quoted there ("$$name"), never pasted into the shell command: `make revision name="add user's
# table"` works. args= is split at spaces (quotes inside it are not interpreted).
export name script steps args

# npm ci when node_modules is missing or older than the lockfile.
node_modules/.install-stamp: package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.install-stamp pg-client-tools build

# The two packages of this repository, compiled by tsc: the runtime (src/runtime, ES module and
# CommonJS builds) first, then the toolkit (src, which imports the runtime by name).
PACKAGE_SOURCES := src/build/bundle-cli.js src/build/bundle-pgtyped.js $(shell find src -name '*.ts' -not -path '*/dist/*' -not -path '*/node_modules/*') src/package.json src/tsconfig.json src/runtime/package.json src/runtime/tsconfig.json src/runtime/tsconfig.cjs.json
node_modules/.build-stamp: node_modules/.install-stamp $(PACKAGE_SOURCES)
	npm run build --silent -w @rbsql/runtime
	npm run build --silent -w @rbsql/cli
	@touch $@

build: node_modules/.build-stamp

# pg_dump/pg_restore/psql (rb writes db/schema.sql and restores dumps with them). As root on
# Debian they are installed when missing; elsewhere the message says what to install.
pg-client-tools:
	@command -v pg_dump >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing postgresql-client-15 (pg_dump, pg_restore, psql)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client-15 >/dev/null; \
	  else echo "rb needs the PostgreSQL 15 client tools: install postgresql-client-15 (pg_dump, pg_restore, psql)"; exit 1; fi; }

## Migrate the local database (embedded PostgreSQL unless DATABASE_URL is set), rewrite db/schema.sql
## and regenerate the query types (rb upgrade does all three).
upgrade-db: install
	$(RB) upgrade

## Migrate production (PROD_DATABASE_URL); shows the plan and asks first.
upgrade-prod-db: install
	$(RB) upgrade --prod

## make revision name="add my model"
revision: install
	@test -n "$$name" || { echo 'usage: make revision name="add my model"'; exit 2; }
	$(RB) new-migration "$$name"

## make downgrade steps=2
downgrade: install
	$(RB) downgrade "$$steps"

history: install
	$(RB) history

db-start: install
	$(RB) db start

db-stop: install
	$(RB) db stop

## Type-checks the example app, tests, scripts and benchmarks (the packages are checked by their build).
typecheck: install
	node_modules/.bin/tsc --noEmit

## Every test against a real PostgreSQL (TEST_DATABASE_URL, else Docker, else embedded); then
## checks that the run left no temporary files and no test databases behind.
test: install typecheck
	node --import tsx test/support/clean-run.ts test '.*\.test\.ts$$'

## Tests that read ../shared/acceptance (only where that folder exists).
acceptance: install
	$(UVU) acceptance '.*\.test\.ts$$'

## Every benchmark (each measures its baseline in the same run and prints the ratio); all run,
## then the target fails when any benchmark missed its target.
bench: install
	@failed=''; for f in scripts/bench/*.ts; do echo "== $$f"; node --import tsx $$f || failed="$$failed $$f"; done; \
	  if [ -n "$$failed" ]; then echo "missed a target:$$failed"; exit 1; fi

## Dump production (PROD_DATABASE_URL) and restore it into the local database: schema from the
## migrations, production's data, then the local pending migrations. make dump-and-restore-to-prod args="--jobs 2"
dump-and-restore-to-prod: install
	set -f; $(RB) dump-and-restore $$args

## Regenerate queries/*.queries.ts from queries/*.sql (shadow database migrated from scratch).
## make types args=--check (CI: fail on stale files) | make types args=--watch
types: install
	set -f; $(RB) types $$args

## Prove the migration history sound: well-formed files, every down undoes its up (scratch database
## on the local server or DATABASE_URL's), squawk lint, db/schema.sql current. CI runs this.
check: install
	$(RB) check

## Run a backfill on the local database (add args=--prod for production, args=--dry-run to try it).
## make run-script script=backfill/2024-09-20_my_model_populate_model_prop.ts args=--dry-run
run-script: install
	@test -n "$$script" || { echo 'usage: make run-script script=backfill/<file>.ts [args="--dry-run"]'; exit 2; }
	set -f; $(RB) run-script "$$script" $$args
