"""Golden renders: every template under content/, rendered to the text Telegram shows.

`python -m tests.golden` (or `make golden`) rewrites the files under tests/golden/renders/;
tests/golden/test_golden.py fails when a render differs from its file, so a changed text is
reviewed in the diff like code.
"""
