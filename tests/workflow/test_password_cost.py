"""Argon2 parameters: production hashes with argon2-cffi's strong defaults; only an application in
testing mode uses the cheap ones (the test suite creates thousands of users)."""

from __future__ import annotations

import secrets

from argon2 import extract_parameters, profiles

from web import create_app
from web.extensions import db
from workflow.passwords import _hasher, hash_password, verify_password


def test_production_hashes_with_the_strong_parameters(tmp_path):
    environ = {
        "PLNENI_ENV": "production",
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
    }
    production = create_app(environ=environ)
    with production.app_context():
        params = extract_parameters(hash_password("správné-heslo-1234"))
        db.engine.dispose()
    strong = profiles.RFC_9106_LOW_MEMORY
    assert (params.time_cost, params.memory_cost, params.parallelism) == (
        strong.time_cost, strong.memory_cost, strong.parallelism,
    )
    assert params.memory_cost == 64 * 1024


def test_outside_an_application_the_strong_parameters_are_used():
    assert extract_parameters(hash_password("x" * 12)).memory_cost == profiles.RFC_9106_LOW_MEMORY.memory_cost


def test_testing_hashes_cheaply_and_both_kinds_verify(app):
    cheap = hash_password("správné-heslo-1234")
    assert (extract_parameters(cheap).time_cost, extract_parameters(cheap).memory_cost) == (1, 8 * 1024)
    production_hash = _hasher.hash("správné-heslo-1234")  # as stored by a real installation
    assert extract_parameters(production_hash).memory_cost == profiles.RFC_9106_LOW_MEMORY.memory_cost
    assert verify_password(cheap, "správné-heslo-1234")
    assert verify_password(production_hash, "správné-heslo-1234")
    assert not verify_password(cheap, "špatné-heslo-1234")
