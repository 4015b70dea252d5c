"""Speed and memory measurements of condgan (not tests): see benchmarks/README.md and docs/performance.md."""
