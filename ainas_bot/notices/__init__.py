"""Telling people: notifications through apprise when a run failed, when a certificate must be ordered, when
an office was renewed, and a digest of each run."""
