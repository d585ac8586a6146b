"""Benchmarks of Concerto (``bench/run.py``); not part of the application."""
