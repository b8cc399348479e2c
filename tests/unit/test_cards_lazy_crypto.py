"""The signature library loads on first use, not with the modules the counter starts with."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = """
import sys
import loyalty_desktop.services, loyalty_desktop.domain.cards as cards
before = "cryptography" in sys.modules
cards.load_verifier()
print(before, "cryptography.hazmat.primitives.asymmetric.ed25519" in sys.modules)
"""


def test_cryptography_loads_only_when_the_verifier_is_asked_for():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                         check=True, cwd=ROOT, timeout=60)
    assert out.stdout.split() == ["False", "True"]
