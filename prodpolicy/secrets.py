"""Detect values that look like credentials, and redact them before anything is stored.

Normalizers call :func:`classify` on every assignment they read (ENV, ARG, LABEL,
compose ``environment``, image ``Env``) and :func:`redact_text` on free text
(RUN lines, commands, source lines kept for code frames). The document model
only ever holds the redacted form, so no output format can print a secret.

Three signals mark a value as a secret:

* ``key-name``: the variable name ends in a credential word (``PASSWORD``,
  ``TOKEN``, ``SECRET``, ``API_KEY``...) and the value is a literal;
* ``token:<kind>``: the value contains a known token shape (cloud keys, Git
  hosting tokens, private key blocks, URLs with a password, JWTs);
* ``entropy``: a long literal with high Shannon entropy and mixed character classes.

Known non-secrets are allowed: empty values, ``${VAR}`` references, paths such as
``*_FILE=/run/secrets/db``, booleans and short numbers, and names whose last word
says the value is not the credential itself (``KMS_KEY_ALIAS``, ``PASSWORD_MIN_LENGTH``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Last words of a variable name that hold a credential.
_CREDENTIAL_WORDS = frozenset(
    {
        "PASSWORD",
        "PASSWD",
        "PASS",
        "PASSPHRASE",
        "SECRET",
        "SECRETS",
        "TOKEN",
        "TOKENS",
        "APIKEY",
        "CREDENTIAL",
        "CREDENTIALS",
        "CREDS",
        "PRIVATEKEY",
        "SECRETKEY",
        "ACCESSKEY",
        "AUTH",
        "DSN",
    }
)
# "KEY" is a credential unless the word before it says otherwise (KMS_KEY, PUBLIC_KEY). GPG_KEY in the
# official language images holds the fingerprint of the release signing key, which is public.
_NON_SECRET_KEY_PREFIXES = frozenset(
    {"KMS", "PUBLIC", "PUB", "CACHE", "SORT", "PARTITION", "ROUTING", "IDEMPOTENCY", "FOREIGN", "PRIMARY", "REDIS", "GPG"}
)
# A bare PWD is the working directory, not a password.
_NOT_SECRET_NAMES = frozenset({"PWD", "OLDPWD"})

_NAME_WORDS = re.compile(r"[A-Z]+[0-9]*|[0-9]+")
_CAMEL_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")

TOKEN_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private-key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    ("aws-access-key", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b")),
    ("github-token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b")),
    ("github-token", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b")),
    ("gitlab-token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}\b")),
    ("slack-token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b")),
    ("stripe-key", re.compile(r"\b[rs]k_live_[0-9A-Za-z]{20,}\b")),
    ("google-api-key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("npm-token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("openai-key", re.compile(r"\bsk-(?:proj-)?[A-Za-z0-9_-]{32,}\b")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("azure-storage-key", re.compile(r"AccountKey=[A-Za-z0-9+/]{40,}={0,2}")),
    # scheme://user:password@host, where the password is not a ${VAR} reference.
    ("url-password", re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/:@'\"]+:(?!\$\{?)[^\s/@'\"]+@")),
)

_ANY_TOKEN = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in TOKEN_SHAPES))

_LITERAL_ALLOWED = re.compile(
    r"""^(?:
        |true|false|yes|no|on|off|none|null|nil|disabled?|enabled?|required|optional
        |[0-9]{1,6}                        # short numbers: ports, lengths, counts
        |/[^\s]*                           # absolute paths, e.g. /run/secrets/db
        |\$\{?[A-Za-z_][A-Za-z0-9_]*\}?    # a reference to another variable
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_REFERENCE_ONLY = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-?][^}]*)?\}$|^\$[A-Za-z_][A-Za-z0-9_]*$")
_HEX_DIGEST = re.compile(r"^(?:sha(?:256|384|512):)?(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$")
_VERSIONISH = re.compile(r"^v?[0-9]+(?:\.[0-9]+)*(?:[-+.][0-9A-Za-z.]+)?$")


@dataclass(frozen=True, slots=True)
class SecretMatch:
    """Why a value was taken for a secret, and the form that may be shown."""

    reason: str
    redacted: str


def name_words(name: str) -> list[str]:
    """Split ``dbPassword``, ``DB_PASSWORD`` or ``db-password`` into upper-case words."""
    spaced = _CAMEL_BOUNDARY.sub(r"\1_\2", name)
    return _NAME_WORDS.findall(spaced.upper())


def is_credential_name(name: str) -> bool:
    """Return True when a variable name says its value is a credential."""
    words = name_words(name)
    if not words or name.upper() in _NOT_SECRET_NAMES:
        return False
    last = words[-1]
    if last in _CREDENTIAL_WORDS:
        return True
    if last == "KEY":
        return len(words) >= 2 and words[-2] not in _NON_SECRET_KEY_PREFIXES
    return False


def redact(value: str) -> str:
    """Return a form of ``value`` that is safe to print: a short prefix and a mask."""
    shown = min(4, len(value) // 4)
    return f"{value[:shown]}****"


def token_shape(text: str) -> str | None:
    """Return the kind of the first known token shape in ``text``, if any."""
    for kind, pattern in TOKEN_SHAPES:
        if pattern.search(text):
            return kind
    return None


def find_tokens(text: str) -> list[str]:
    """Return every substring of ``text`` that has a known token shape."""
    return [match.group(0) for match in _ANY_TOKEN.finditer(text)]


def _entropy(text: str) -> float:
    counts: dict[str, int] = {}
    for char in text:
        counts[char] = counts.get(char, 0) + 1
    length = len(text)
    return -sum(count / length * math.log2(count / length) for count in counts.values())


def looks_random(value: str) -> bool:
    """Return True for a long literal that reads like generated key material."""
    if len(value) < 20 or any(char.isspace() for char in value):
        return False
    if _HEX_DIGEST.match(value) or _VERSIONISH.match(value) or "/" in value[:1]:
        return False
    classes = sum(
        (
            any(char.islower() for char in value),
            any(char.isupper() for char in value),
            any(char.isdigit() for char in value),
        )
    )
    return classes >= 3 and _entropy(value) >= 4.0


def classify(name: str, value: str) -> SecretMatch | None:
    """Decide whether the assignment ``name=value`` holds a secret."""
    if value is None or _REFERENCE_ONLY.match(value.strip()):
        return None
    shape = token_shape(value)
    if shape:
        return SecretMatch(f"token:{shape}", redact(value))
    if _LITERAL_ALLOWED.match(value.strip()):
        return None
    if is_credential_name(name):
        return SecretMatch("key-name", redact(value))
    if looks_random(value):
        return SecretMatch("entropy", redact(value))
    return None


def redact_text(text: str, secrets: frozenset[str] | set[str] = frozenset()) -> str:
    """Mask known secret values and every token shape inside free text."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and secret in text:
            text = text.replace(secret, redact(secret))
    for _, pattern in TOKEN_SHAPES:
        text = pattern.sub(lambda match: redact(match.group(0)), text)
    return text
