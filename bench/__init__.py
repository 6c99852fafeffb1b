"""Reproducible benchmarks of Kompas (see bench/README.md)."""
