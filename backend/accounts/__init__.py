"""Accounts: users, roles, postings, login sessions and the caller's scope."""
