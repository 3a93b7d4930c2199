"""The demo seeder (`ketamon demo`, benchmarks): above the services, below the CLI."""
