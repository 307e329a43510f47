"""Sales-funnel Telegram bot: lessons, diagnostic requests and the consultants' group."""
