"""Secret detection by name, token shape and entropy, with its allow-list."""

from __future__ import annotations

import pytest

from prodpolicy.secrets import classify, find_tokens, is_credential_name, redact, redact_text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("DB_PASSWORD", True),
        ("dbPassword", True),
        ("NPM_TOKEN", True),
        ("API_KEY", True),
        ("STRIPE_SECRET_KEY", True),
        ("KMS_KEY_ALIAS", False),
        ("PASSWORD_MIN_LENGTH", False),
        ("DB_PASSWORD_FILE", False),
        ("AUTH_MODE", False),
        ("PUBLIC_KEY", False),
        ("GPG_KEY", False),
        ("PWD", False),
        ("KEY", False),
    ],
)
def test_credential_names(name, expected):
    assert is_credential_name(name) is expected


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("DB_PASSWORD", "hunter2hunter2", "key-name"),
        ("DATABASE_URL", "postgres://app:s3cret@db/app", "token:url-password"),
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", "token:aws-access-key"),
        ("GH", "ghp_" + "a" * 36, "token:github-token"),
        ("SESSION", "aZ9xQ2mP8vL4nR7tK1wE5yU3", "entropy"),
        ("DB_PASSWORD", "${DB_PASSWORD}", None),
        ("DB_PASSWORD_FILE", "/run/secrets/db", None),
        ("DATABASE_URL", "postgres://app:${PW}@db/app", None),
        ("PASSWORD_MIN_LENGTH", "12", None),
        ("IMAGE_DIGEST", "sha256:" + "c" * 64, None),
        ("TOKEN", "none", None),
    ],
)
def test_classify(name, value, reason):
    match = classify(name, value)
    assert (match.reason if match else None) == reason


def test_redact_keeps_only_a_short_prefix():
    assert redact("hunter2hunter2") == "hun****"
    assert redact("abc") == "****"


def test_redact_text_masks_token_shapes_and_known_values():
    text = redact_text("curl -H 'x: ghp_" + "b" * 36 + "' --password hunter2hunter2", {"hunter2hunter2"})
    assert "b" * 36 not in text
    assert "hunter2hunter2" not in text


def test_find_tokens():
    key = "AKIAIOSFODNN7EXAMPLE"
    assert find_tokens(f"ENV AWS_ACCESS_KEY_ID={key}\n") == [key]
