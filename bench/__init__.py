"""Benchmarks, a load test and a restore drill at national scale (docs/performance.md)."""
