"""Development and test data: demo seed, large-data generator, world builders, soak helpers.

Shared by the CLI (``flask seed-demo``, ``flask seed-large``), the benchmark, the soak script and
the tests. Never imported by ``workflow``, ``notifications`` or ``forms``; refused in production
by the CLI commands that use it.
"""
