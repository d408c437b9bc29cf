"""Bench-only Django app: the ceiling and naive signing endpoints. Loaded only with VZAEMO_BENCH=1."""
