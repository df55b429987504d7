"""Benchmarks: data generators and measured work, each printed with the ratio to its limit."""
