"""The benchmark's peer (issue 16, point 2): the parents' questionnaire written with aiogram_dialog.

An independent, plain implementation to compare our bot with: aiogram_dialog windows, the FSM in
memory, each answer committed to SQLite through SQLAlchemy (WAL), no encryption. It needs the
``bench`` extra (``pip install -e '.[bench]'``). ``bench/serve.py`` runs it in its own process.
"""
