"""Admin screens (filled in by its module)."""
