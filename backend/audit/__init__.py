"""Audit: an append-only, hash-chained log of logins and every state change."""
