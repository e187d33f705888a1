"""Operating Zhucun: metrics for Prometheus, backups and restores."""
