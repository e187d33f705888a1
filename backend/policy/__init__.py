"""Policy: a county's settings for a year (subsidy rate, travel, leave limit, minimum days).

Claims and field work both read them; this capability depends on neither.
"""
