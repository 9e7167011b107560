"""Migration scripts. A package so setuptools ships them; Alembic skips this file."""
