"""Sync: the offline protocol. Capabilities register their kinds; push and pull serve them all."""
