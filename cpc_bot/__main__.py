"""python -m cpc_bot: the same as the cpc-bot command."""

from cpc_bot.cli import main

raise SystemExit(main())
