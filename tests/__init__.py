"""The tests. `bot` is imported first, so aiogram comes in as the bot imports it (its models
built on first use, bot/lazy_models.py) and not fully built by whichever test imports it first."""

import bot  # noqa: F401
