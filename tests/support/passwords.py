"""The password hasher for in-process tests."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, as in production, at the lowest cost the library accepts.

    The production parameters (100 MiB, two passes) make every hash take about half a second
    on a busy 2-core machine, on purpose; the suite hashes hundreds of passwords (every user a
    test makes, every sign-in). Same algorithm, same Django code path, same stored format: only
    the work factor differs, and no test is about the work factor. Servers and CLI commands the
    tests start as processes keep the production hasher.
    """

    time_cost = 1
    memory_cost = 8  # KiB: argon2's minimum for one lane
    parallelism = 1
