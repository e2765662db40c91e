"""The rig's pytest plugin (fixtures for on-target tests) — filled in by the next commits."""
