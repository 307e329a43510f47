"""Benchmarks of the bot against the Bot API emulator, always next to a bare aiogram echo bot.

run.py          `python -m bench.run`: both bots, both measurements, table + results JSON
echo_bot.py     the baseline: the simplest aiogram 3 echo bot (`python -m bench.echo_bot`)
processes.py    BenchBot: a bot under test as a real process (start, wait for polling, stop)
procfs.py       peak RSS and CPU time of a process, read from /proc (no dependency)
scripts.py      what an owner does: the lessons walk and the echo walk, injected in process
tail.py         ReplyTail: one follower of the emulator's event log, routing replies per chat
loads.py        closed loop (saturation) and open loop (latency at a fixed offered load)
stats.py        percentiles and summaries
report.py       the table, the targets and the results JSON
stats_scale.py  a separate benchmark: /stats and /leads on a large database (its own docstring)
"""
