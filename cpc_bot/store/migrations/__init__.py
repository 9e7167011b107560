"""Alembic environment for the bot's database; it lives in the package so it ships with the wheel.

Run it through :mod:`cpc_bot.store.migrate`, which configures Alembic in code (no alembic.ini).
"""
