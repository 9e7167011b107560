"""The web chat: the same questionnaires for families without Telegram (issue 20)."""
