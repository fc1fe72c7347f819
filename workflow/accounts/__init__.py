"""Accounts (moved into a package; the split follows in the next commit)."""

from workflow.accounts.deputies import *  # noqa: F403
