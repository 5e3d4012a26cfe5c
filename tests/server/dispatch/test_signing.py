"""The signature a receiver checks: over the timestamp and the exact body, and not for long."""

from __future__ import annotations

from platekeeper.server.dispatch.signing import signature_header, verify_signature_header

SECRET = b"0123456789abcdef0123456789abcdef"
BODY = b'{"plate":"7ABC123"}'


def test_a_signed_body_verifies_within_the_tolerance():
    header = signature_header(SECRET, 1_800_000_000, BODY)

    assert header.startswith("t=1800000000,v1=")
    assert verify_signature_header(SECRET, header, BODY, now=1_800_000_000 + 299)


def test_a_changed_body_another_secret_a_replay_or_a_garbled_header_fail():
    header = signature_header(SECRET, 1_800_000_000, BODY)

    assert not verify_signature_header(SECRET, header, BODY + b" ", now=1_800_000_000)
    assert not verify_signature_header(b"x" * 32, header, BODY, now=1_800_000_000)
    assert not verify_signature_header(SECRET, header, BODY, now=1_800_000_000 + 301)
    assert not verify_signature_header(SECRET, "v1=abc", BODY, now=1_800_000_000)
