"""Shared fixtures. Qt must run offscreen: without it pytest dies with exit 134."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")
