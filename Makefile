# Shortcuts for the commands in the README. Run them inside the project's environment
# (`make setup` creates .venv; activate it with `. .venv/bin/activate`).
PYTHON ?= python3

.PHONY: setup book test lint format clean

setup:  ## a virtual environment with the project and every extra
	$(PYTHON) -m venv .venv && .venv/bin/pip install -e ".[dev]"

book:  ## build the HTML book into _build/html; warnings are errors, every chapter executes
	jupyter-book build . -W -n --keep-going --all

test:  ## the unit and property tests, and every chapter through nbval
	pytest

lint:  ## ruff, as CI runs it
	ruff check .
	ruff format --check .

format:
	ruff check --fix .
	ruff format .

clean:  ## remove the built book and caches
	rm -rf _build .pytest_cache .hypothesis .ruff_cache notebooks
	find . -name __pycache__ -type d -prune -not -path "./.venv*" -exec rm -rf {} +
