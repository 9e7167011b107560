"""Performance benchmark for CPC Companion: ``python -m bench.run [--quick]`` (see bench/README.md)."""
