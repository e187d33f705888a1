"""Zhucun (驻村): the backend package."""

import os

# Piccolo finds its engine and apps through this module.
os.environ.setdefault("PICCOLO_CONF", "backend.piccolo_conf")
