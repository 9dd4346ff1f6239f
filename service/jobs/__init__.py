"""Durable jobs: the SQLite job store, the worker processes and their supervisor, retention."""
