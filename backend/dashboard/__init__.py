"""Dashboards: a county's (or a township's) villages at a glance, with trends and exports."""
