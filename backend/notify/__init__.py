"""Notify: the inbox (the source of truth, delivered by sync pull); Web Push is only a doorbell."""
