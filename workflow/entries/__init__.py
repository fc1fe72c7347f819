"""Entries (moved into a package; the split follows in the next commit)."""

from workflow.entries.drafts import *  # noqa: F403
