"""Follow-ups that bring owners back: timed reminders, durable, polite and measured.

* `kinds` — every kind of reminder: its delay setting, series length, quiet hours;
* `policy` — which step of the owner schedules which reminder and which make it obsolete
  (called from the flows, inside the update's unit of work);
* `messages` — what each kind says (templates under content/nudges/, buttons);
* `sender` — the one background sender: due rows, in each chat's order, within the rate cap;
* `quiet` — quiet hours in the bot's time zone.

The rows live in `nudges` (bot/db/nudges.py). See docs/nudges.md for the whole design.
"""
