# critica — the two commands of the quick start are `make demo` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
TRAIN_VENV := .venv-train
DATA ?= ../shared/datasets
PORT ?= 8000

.PHONY: venv demo test test-fast check fmt train teacher teacher-v2 transfer docs bench clean screenshots

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

venv: $(BIN)/.installed

demo: venv  ## set up, then analyse the bundled sample reviews
	$(BIN)/critica demo --port $(PORT)

test: venv  ## set up, then run the whole test suite
	$(BIN)/python -m pytest -q

test-fast: venv  ## the tests without worker processes, Dask, Chromium, load and crash loops
	$(BIN)/python -m pytest -q -m "not slow"

check: venv  ## format check, lint, types, import layers, then the whole test suite (what CI runs)
	$(BIN)/ruff format --check critica tests training bench docs
	$(BIN)/ruff check critica tests training bench docs
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(MAKE) test

screenshots: venv  ## refresh docs/screenshots from the browser tests
	CRITICA_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/web/test_browser.py

fmt: venv
	$(BIN)/ruff format critica tests training bench docs
	$(BIN)/ruff check --fix critica tests training bench docs

$(TRAIN_VENV)/.installed: pyproject.toml
	$(PY) -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/pip install -q --upgrade pip
	$(TRAIN_VENV)/bin/pip install -q torch==2.13.0
	$(TRAIN_VENV)/bin/pip install -q -e '.[train,test]'
	touch $@

train: $(TRAIN_VENV)/.installed  ## rebuild every shipped model file from DATA (resumable)
	$(TRAIN_VENV)/bin/python -m training.train_sentence --data $(DATA) --out build/sentence
	$(TRAIN_VENV)/bin/python -m training.tune_aspect_spans --data $(DATA) --checkpoint build/sentence/final.pt --out build/sentence/aspects.pt
	$(TRAIN_VENV)/bin/python -m training.export_onnx --data $(DATA) --checkpoint build/sentence/aspects.pt
	$(TRAIN_VENV)/bin/python -m training.train_verdict --data $(DATA)
	$(TRAIN_VENV)/bin/python -m training.train_aspects --data $(DATA)
	$(TRAIN_VENV)/bin/python -m training.aspect_head --data $(DATA)

docs: venv  ## rewrite the tables in docs/ that are generated from the code
	$(BIN)/python docs/generate.py

teacher: $(TRAIN_VENV)/.installed  ## the distillation teacher's soft labels (training/teacher/; ~3 h on 2 cores, resumable)
	$(TRAIN_VENV)/bin/python -m training.teacher_base --out build/teacher-base
	$(TRAIN_VENV)/bin/python -m training.train_sentence --data $(DATA) --out build/teacher --base build/teacher-base/all-mpnet-base-v2 --epochs 1 --lr 3e-5 --save-every 300
	$(TRAIN_VENV)/bin/python -m training.teacher_labels --data $(DATA) --checkpoint build/teacher/checkpoint.pt --base build/teacher-base/all-mpnet-base-v2

# The second teacher: low-rank adapters on all-mpnet-base-v2's layers 4-11, so what it learns
# is a 3.6 MB file that is committed, and each later step rebuilds it from the base model.
teacher-v2: $(TRAIN_VENV)/.installed  ## train the LoRA teacher (training/teacher/teacher-v2.safetensors; ~90 min on 2 cores, resumable)
	$(TRAIN_VENV)/bin/python -m training.teacher_base --out build/teacher-base
	$(TRAIN_VENV)/bin/python -m training.train_sentence --data $(DATA) --out build/teacher2 --base build/teacher-base/all-mpnet-base-v2 --epochs 1 --lr 5e-4 --lora-rank 16 --lora-from-layer 4 --save-every 100 --adapter-out build/teacher2/adapter.safetensors
	cp build/teacher2/adapter.safetensors training/teacher/teacher-v2.safetensors

TRANSFER_CHUNKS ?= 0 1 2 3 4
transfer: $(TRAIN_VENV)/.installed  ## the LoRA teacher's labels on unlabelled review sentences, 10,000 a chunk (~10 min each); chunks already there are kept
	$(TRAIN_VENV)/bin/python -m training.teacher_base --out build/teacher-base
	for k in $(TRANSFER_CHUNKS); do \
	  test -f training/teacher/transfer-0$$k.npz || $(TRAIN_VENV)/bin/python -m training.teacher_labels --data $(DATA) --base build/teacher-base/all-mpnet-base-v2 --adapter training/teacher/teacher-v2.safetensors --transfer-chunk $$k || exit 1; \
	done

bench: venv $(TRAIN_VENV)/.installed  ## speed figures (needs torch for the baseline)
	$(TRAIN_VENV)/bin/python bench/speed.py --data $(DATA)
	$(BIN)/python bench/batch.py --data $(DATA)

clean:
	rm -rf $(VENV) $(TRAIN_VENV) build .pytest_cache .mypy_cache .ruff_cache
