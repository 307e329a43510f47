"""Reliability suite: no lead lost, none duplicated, no crash on any input.

Tests (each file's docstring says exactly what it demands):

* test_kill9.py — kill -9 of the real process at random moments (seeded) while owners walk
  concurrently over the HTTP emulator; marked `reliability` (slow, runs by default).
* test_crash_points.py — in process: a crash before every single write and Bot API call
  of whole journeys; each run must end exactly as an uninterrupted one.
* test_duplicates_and_order.py — Hypothesis: duplicate updates, interleaved chats and
  crashes; one lead per request, one card per lead, no orphaned outbox rows.
* test_faults.py — 429/5xx/timeouts/403/chat not found/migration on every method the bot
  uses, during journeys and consultants' work; start-up faults of the real process.
* test_hostile_inputs.py — 200+ hostile inputs (hostile.py) in every state.
* test_simultaneous_claims.py — ten consultants claim one lead at the same instant.

Helpers: stories.py (owners' answers as steps), machine.py (the service loop in process
with a simulated kill -9), recordings.py (record a conversation, replay it elsewhere).
Figures are printed at the end of the run ("reliability figures"); RELIABILITY_SEED,
RELIABILITY_KILLS and RELIABILITY_EXAMPLES override the seed and the amounts.
"""
