"""Shared plumbing: settings, database engine, errors, time and money helpers."""
