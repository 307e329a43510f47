"""What consultants see, rendered from leads and content: cards, lists, a lead's full view,
statistics, the CSV export, keyboards and the group's command menu. No handler logic here."""
