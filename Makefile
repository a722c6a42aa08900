.PHONY: run test install lint format bench messages chaos

run: ## Start Netral on SQLite with demo data (web + worker) on http://127.0.0.1:8000
	@bash scripts/bootstrap.sh
	@bash scripts/run.sh

test: ## Every gate CI runs: lint, types, migrations, deploy check, tests on SQLite + PostgreSQL, browser
	@bash scripts/test.sh

install:
	@bash scripts/bootstrap.sh dev

lint: install
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && NETRAL_TESTING=1 .venv/bin/mypy netral e2e bench

format: install
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

bench: install
	.venv/bin/python bench/import_civil_servants.py --rows 100000

messages: ## Extract strings into locale/*/LC_MESSAGES/django.po (needs GNU gettext)
	NETRAL_DEBUG=1 .venv/bin/python manage.py makemessages -l id -l en --no-obsolete -i ".venv/*" -i "var/*"

chaos: install ## Chaos test: deploy/topology.sh (nginx, 2 gunicorn nodes, PostgreSQL primary + replica, S3, 2 workers, 2 schedulers) under load while a node, a worker and the replica go down
	.venv/bin/python scripts/chaos.py
