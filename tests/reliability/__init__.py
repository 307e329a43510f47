"""Reliability suite: no lead lost, none duplicated, no crash on any input."""
