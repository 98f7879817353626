"""Tables and queries of the onboarding ritual (kept beside storage/models.py so each ritual owns its own)."""

from __future__ import annotations
