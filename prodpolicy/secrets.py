"""Detect values that look like credentials, and redact them before anything is stored.

Normalizers call :func:`classify` on every assignment they read (ENV, ARG, LABEL,
compose ``environment``, image ``Env``) and :func:`redact_text` on free text
(RUN lines, commands, source lines kept for code frames). The document model
only ever holds the redacted form, so no output format can print a secret.

Three signals mark a value as a secret:

* ``key-name``: the variable name ends in a credential word (``PASSWORD``,
  ``TOKEN``, ``SECRET``, ``API_KEY``...) and the value is a literal;
* ``token:<kind>``: the value contains a known token shape (cloud keys, Git
  hosting and registry tokens, private key blocks, URLs with a password or a
  token as the user, JWTs, bearer tokens, ``--password`` options, passwords given
  to ``curl -u``, ``sshpass -p``, ``docker login -p``, ``mysql -p`` and
  ``htpasswd -b``, ``chpasswd``, ``openssl pass:``, ``keytool -storepass``, ``--creds``,
  ``.netrc`` entries, ``NAME=value`` under a credential name);
* ``entropy``: a long literal with high Shannon entropy and mixed character classes.

Known non-secrets are allowed: empty values, ``${VAR}`` references, paths such as
``*_FILE=/run/secrets/db``, booleans and short numbers, and names whose last word
says the value is not the credential itself (``KMS_KEY_ALIAS``, ``PASSWORD_MIN_LENGTH``).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import re2

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
        # Redis's own settings for its password and the password of the primary a replica follows.
        "REQUIREPASS",
        "MASTERAUTH",
    }
)
# "KEY" is a credential unless the word before it says otherwise (KMS_KEY, PUBLIC_KEY). GPG_KEY in the
# official language images holds the fingerprint of the release signing key, which is public.
_NON_SECRET_KEY_PREFIXES = frozenset(
    {"KMS", "PUBLIC", "PUB", "CACHE", "SORT", "PARTITION", "ROUTING", "IDEMPOTENCY", "FOREIGN", "PRIMARY", "REDIS", "GPG"}
)
# A bare PWD is the working directory, not a password.
_NOT_SECRET_NAMES = frozenset({"PWD", "OLDPWD"})
# Credential names that no last word gives away: Rails signs sessions with SECRET_KEY_BASE, the MySQL
# clients read a password from MYSQL_PWD, and
# Bundler reads the user and password of a gem host from BUNDLE_<HOST>, dots written as __.
_CREDENTIAL_NAMES = frozenset({"SECRET_KEY_BASE", "MYSQL_PWD"})
_BUNDLER_HOST = re.compile(r"^BUNDLE_[A-Z0-9_]+__[A-Z0-9_]+$")

_NAME_WORDS = re.compile(r"[A-Z]+[0-9]*|[0-9]+")
_CAMEL_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")

# Token shapes, as RE2 patterns. A shape with a ``value`` group is a credential
# inside a larger match (``--password=...``, ``Authorization: Bearer ...``): only
# that group is the secret, so the name around it stays readable after redaction.
# TODO: passwords given in other ways are still printed: htpasswd -n -b as two options or with an option after the
# password, printf 'login U\npassword P' for a .netrc, password before login, chpasswd reading a heredoc, and
# NAME=value assignments of fewer than 8 characters.
# The shapes of passwords given to a command stop at a newline, like the others, and at ; & and |, which end the
# command. A password is a word of 4 characters or more that is no reference ($VAR, $(...), `...`), or a quoted text.
_BARE_VALUE = r"(?P<value>[^\s'\"$`(\\\-;&|<>][^\s'\";&|<>]{3,})"
_VALUE = r"(?P<value>'[^'\n]{4,}'|\"[^\"$`\\\n][^\"\n]{3,}\"|[^\s'\"$`(\\\-;&|<>][^\s'\";&|<>]{3,})"
# The place of a program that starts a command: the start of a line, after ; & | ( a quote or a backquote, or
# after RUN and a few prefix programs, with or without a path. Not an argument, as in find /usr/share/mysql -print0.
_PROGRAM = r"(?:(?m:^)|[;&|(\"'`]|\b(?:RUN|exec|sudo|then|do|time|env|xargs)\b)[ \t]*(?:[^\s;&|()'\"]*/)?"
_CURL_USER = r"\bcurl\b[^\n;&|]*?[ \t](?:-[A-Za-z]*[uU][ \t]*|--(?:proxy-)?user(?:=|[ \t]+))"
_HTPASSWD = r"\bhtpasswd(?:[ \t]+-[A-Za-z]+)*?[ \t]+-[A-Za-z]*"
_HTPASSWD_OPERAND = r"(?:[ \t]+-[A-Za-z]+)*[ \t]+[^\s;&|<>'\"-][^\s;&|<>]*"
_HTPASSWD_OPERANDS = _HTPASSWD_OPERAND + r"[ \t]+" + _VALUE + r"[ \t]*(?:$|[;&|<>)\n]|[0-9]>)"
TOKEN_SHAPES: tuple[tuple[str, str], ...] = (
    # The header, and the key itself up to the first footer when the text has one.
    (
        "private-key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"(?:(?s:.*?)-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?",
    ),
    ("aws-access-key", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
    ("github-token", r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b"),
    ("github-token", r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b"),
    ("gitlab-token", r"\bglpat-[A-Za-z0-9_-]{20,}\b"),
    ("gitlab-token", r"\bgldt-[A-Za-z0-9_-]{20,}\b"),
    ("slack-token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),
    ("slack-webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9_/-]{20,}"),
    ("stripe-key", r"\b[rs]k_live_[0-9A-Za-z]{20,}\b"),
    ("google-api-key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
    ("npm-token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    ("pypi-token", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
    ("docker-hub-token", r"\bdckr_pat_[A-Za-z0-9_-]{27,}"),
    ("hugging-face-token", r"\bhf_[A-Za-z0-9]{34,}\b"),
    ("vault-token", r"\bhvs\.[A-Za-z0-9_-]{24,}"),
    ("digitalocean-token", r"\bdo[opr]_v1_[a-f0-9]{64}\b"),
    ("sendgrid-key", r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b"),
    ("openai-key", r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}\b"),
    ("jwt", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ("azure-storage-key", r"AccountKey=[A-Za-z0-9+/]{40,}={0,2}"),
    # scheme://user:password@host, where the password is not a $VAR or ${VAR} reference.
    # Only the password is masked, so the scheme, user and host stay readable, and the password is masked
    # wherever else it appears, such as in the last part of a path that a program name is taken from.
    ("url-password", r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/:@'\"]*:(?P<value>[^\s/@'\"$][^\s/@'\"]*)@"),
    ("authorization-header", r"\b[Bb](?:earer|asic) (?P<value>[A-Za-z0-9._~+/-]{20,}=*)"),
    # An Authorization header in any case and spacing, with the token scheme GitHub takes, and the headers
    # that carry a key alone. After a header name, a shorter value is taken than in free text.
    (
        "authorization-header",
        r"(?i:\bauthorization)[ \t]*:[ \t]*(?i:bearer|basic|token)[ \t]+(?P<value>[A-Za-z0-9._~+/-]{8,}=*)",
    ),
    ("api-key-header", r"(?i:\b(?:x-api-key|api-key|x-auth-token|private-token|x-access-token))[ \t]*:[ \t]*(?P<value>[A-Za-z0-9._~+/=-]{8,})"),
    # --password=value, --password value, and "--password", "value" in a JSON array (exec form, image Cmd),
    # also with a prefix such as --http-password or --db-password, but not --no-password. Redis servers take
    # theirs as --requirepass and, for the primary of a replica, --masterauth.
    (
        "password-option",
        r"--(?:(?:[a-mo-z0-9][a-z0-9]*|n(?:[a-np-z0-9][a-z0-9]*)?|no[a-z0-9]+)-)*(?:password|passwd|requirepass|masterauth)"
        r"(?:[= ]|\"[ \t]*,[ \t]*)['\"]?(?P<value>[^\s'\"$\\-][^\s'\"]{3,})(?:['\"\s]|$)",
    ),
    # A token written as the user of a URL, as Azure DevOps and other Git hosts accept: https://TOKEN@host.
    # 40 letters and digits or more, so that a user name or a Sentry key (32 hex digits) is not taken for one.
    ("url-token", r"\b(?:https?|git)://(?P<value>[A-Za-z0-9]{40,})@"),
    # curl -u user:password, also in a group of short options (-fsSLu), --user and the proxy's -U and
    # --proxy-user. With a user name alone, curl prompts for the password.
    ("curl-password", _CURL_USER + r"[^\s:'\"]+:" + _BARE_VALUE),
    ("curl-password", _CURL_USER + r"'[^\s:']+:(?P<value>[^'\n]{4,})'"),
    ("curl-password", _CURL_USER + r"\"[^\s:\"]+:(?P<value>[^\"$`\\\n][^\"\n]{3,})\""),
    ("sshpass-password", r"\bsshpass(?:[ \t]+-[defPv][^\s]*)*?[ \t]+-p[ \t]*" + _VALUE),
    # docker login -p, attached or not, and the same option of the other registry clients, after global options.
    (
        "registry-password",
        r"\b(?:docker|podman|buildah|nerdctl|helm|skopeo|oras|crane)(?:[ \t]+-{1,2}[A-Za-z][^\s]*(?:[ \t]+[^\s-][^\s]*)?)*?"
        r"(?:[ \t]+(?:registry|auth))?[ \t]+login\b[^\n;&|]*?[ \t](?:-p[ \t]*|--password(?:=|[ \t]+))" + _VALUE,
    ),
    # The MySQL and MariaDB clients take the password attached to -p. With a -p alone, they prompt for it.
    # Only options, and one subcommand or database name, may come between the program and -p.
    (
        "mysql-password",
        _PROGRAM + r"(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlshow|mariadb|mariadb-dump|mariadb-admin)"
        r"(?:[ \t]+[a-z][a-z0-9_-]*)?(?:[ \t]+-[A-Za-oq-z](?:[ \t]+[^\s-][^\s]*)?|[ \t]+-[A-Za-oq-z][^\s]+|[ \t]+--[^\s]+)*?"
        r"[ \t]+-p" + _VALUE,
    ),
    # htpasswd -b takes the password as an operand: htpasswd -nb USER PASSWORD, htpasswd -bc FILE USER PASSWORD.
    # The command must end after it, so that prose which names htpasswd -b is not read as one.
    ("htpasswd-password", _HTPASSWD + r"(?:n[A-Za-z]*b|b[A-Za-z]*n)[A-Za-z]*" + _HTPASSWD_OPERANDS),
    ("htpasswd-password", _HTPASSWD + r"b[A-Za-z]*" + _HTPASSWD_OPERAND + _HTPASSWD_OPERANDS),
    # A .netrc entry, on one line (machine HOST login USER password PASSWORD) or on a line after the login's.
    # The second form spans a newline: in a text of one line it finds nothing, and the first still applies.
    ("netrc-password", r"\b(?:machine[ \t]+\S+|default)[ \t]+login[ \t]+\S+[ \t]+password[ \t]+" + _VALUE),
    ("netrc-password", r"(?m:^[ \t]*login[ \t]+\S+[ \t]*\n[ \t]*password[ \t]+(?P<value>[^\s'\"$`\\][^\s'\"]{3,})[ \t]*$)"),
    # The same Redis settings as lines of redis.conf, written by echo or printf: requirepass PASSWORD.
    ("redis-password", r"(?:(?m:^)|[\s'\"])(?:requirepass|masterauth)[ \t]+" + _VALUE),
    # echo PASSWORD | docker login --password-stdin (and the other registry clients), and passwd --stdin.
    (
        "stdin-password",
        r"\b(?:echo|printf)[ \t]+(?:-[a-z]+[ \t]+)*['\"]?(?P<value>[^\s'\"$`|;&<>\\-][^\s'\"|;&<>]{3,})['\"]?[ \t]*\|[ \t]*"
        r"(?:sudo[ \t]+)?(?:[^\s|;&]*/)?(?:(?:docker|podman|buildah|nerdctl|helm|skopeo|oras|crane)\b[^\n|;&]*--password-stdin|passwd[ \t]+--stdin)\b",
    ),
    # mysqladmin password NEW sets a password, and redis-cli -a and vault login take one.
    ("mysql-password", r"\bmysqladmin\b[^\n;&|]*?[ \t]password[ \t]+" + _VALUE),
    ("redis-password", r"\bredis-cli\b[^\n;&|]*?[ \t](?:-a|--pass)[ \t]+" + _VALUE),
    ("vault-token", r"\bvault[ \t]+login(?:[ \t]+-[^\s]+)*[ \t]+(?P<value>[A-Za-z0-9._~+/-]{8,})(?:[\s'\";&|)]|$)"),
    # npm config set //host/:_authToken TOKEN, and aws configure set aws_secret_access_key KEY.
    ("npm-auth-token", r"(?:_authToken|_auth|_password)[ \t]+" + _VALUE),
    ("aws-configure-secret", r"\baws[ \t]+configure[ \t]+set[ \t]+[^\s]*(?:secret_access_key|session_token)[ \t]+" + _VALUE),
    # chpasswd reading a here-string: chpasswd <<< "user:password".
    ("chpasswd-password", r"\bchpasswd[ \t]*<<<[ \t]*['\"]?[A-Za-z0-9_.-]+:(?P<value>[^\s'\"$`:|;&<>\\][^\s'\":|;&<>]{3,})"),
    # echo 'user:password' | chpasswd, which sets a local account's password.
    (
        "chpasswd-password",
        r"\b(?:echo|printf)[ \t]+(?:-[a-z]+[ \t]+)*['\"]?[A-Za-z0-9_.-]+:(?P<value>[^\s'\"$`:|;&<>\\][^\s'\":|;&<>]{3,})"
        r"['\"]?[ \t]*\|[ \t]*(?:sudo[ \t]+)?chpasswd\b",
    ),
    # openssl -passin pass:PASSWORD (and -passout, -password), keytool and jarsigner -storepass and -keypass.
    ("option-password", r"[ \t]-pass(?:in|out|word)?[ \t]+['\"]?pass:" + _BARE_VALUE),
    ("option-password", r"[ \t]-(?:src|dest|new)?(?:store|key)pass[ \t]+" + _VALUE),
    # skopeo --creds, --src-creds and --dest-creds, podman and buildah --creds: USER:PASSWORD.
    ("creds-password", r"--(?:src-|dest-)?creds(?:=|[ \t]+)['\"]?[^\s:'\"]+:" + _BARE_VALUE),
    # NAME=value or name: value where the name ends in a credential word and the value is a literal.
    (
        "credential-assignment",
        r"(?i:\b(?:[a-z0-9_.-]*(?:password|passwd|secret|token|api_?key|access_?key|secret_?key|private_?key)"
        r"|(?:[a-z0-9_.-]*[_.-])?(?:pass|passphrase|credentials?|creds)|mysql_pwd))"
        r"(?:[ \t]?=[ \t]?|:[ \t]+)['\"]?(?P<value>[^\s'\"$/<{(\[][^\s'\"()\[\]{}<>]{7,})(?:['\"\s;,]|$)",
    ),
)


def _combined_shapes() -> tuple[Any, tuple[tuple[str, int | None], ...]]:
    """Compile every shape into one RE2 pattern, so a text is scanned in one pass.

    Each shape becomes the named group ``s<N>``. The second item maps N to the
    kind and to the index of the shape's ``value`` group, when it has one.
    """
    parts: list[str] = []
    for number, (_, pattern) in enumerate(TOKEN_SHAPES):
        parts.append(f"(?P<s{number}>" + pattern.replace("(?P<value>", f"(?P<v{number}>") + ")")
    options = re2.Options()
    options.log_errors = False
    compiled = re2.compile("|".join(parts), options)
    shapes = tuple(
        (kind, compiled.groupindex.get(f"v{number}")) for number, (kind, _) in enumerate(TOKEN_SHAPES)
    )
    return compiled, shapes


_ANY_TOKEN, _SHAPES = _combined_shapes()
# The shapes without a value group, to name the kind of a value found by a generic shape.
_SPECIFIC_TOKEN = re2.compile(
    "|".join(f"(?P<s{number}>{pattern})" for number, (_, pattern) in enumerate(TOKEN_SHAPES) if "(?P<value>" not in pattern),
    _ANY_TOKEN.options,
)
# A value that names something instead of holding it (settings.API_KEY), or a placeholder.
_NOT_A_VALUE = re.compile(
    r"^(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+|(?:your|my)[-_].*|x{3,}.*|\*{3,}.*"
    r"|.*(?:example|placeholder|redacted|dummy).*)$",
    re.IGNORECASE,
)

_LITERAL_ALLOWED = re.compile(
    r"""^(?:
        |true|false|yes|no|on|off|none|null|nil|disabled?|enabled?|required|optional
        |[0-9]{1,6}                        # short numbers: ports, lengths, counts
        |/[^\s]*                           # absolute paths, e.g. /run/secrets/db
        |\$\{?[A-Za-z_][A-Za-z0-9_]*\}?    # a reference to another variable
        |\$\(.*\)|`.*`                     # the output of a command, such as $(cat /run/secrets/db)
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_REFERENCE_ONLY = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-?][^}]*)?\}$|^\$[A-Za-z_][A-Za-z0-9_]*$")
# The form redact() returns. A value already in this form is not masked again, so redacting is
# idempotent. NOTE: a literal secret of exactly this form ("abcd****") is therefore printed as it is.
_MASKED = re.compile(r"^[^*\s]{0,4}\*{4}$")
_KEY_ALPHABET = re.compile(r"^[A-Za-z0-9+/=_.~-]+$")
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


# Files of one project repeat their variable names (NODE_ENV, POSTGRES_PASSWORD), so the results are kept.
@functools.lru_cache(maxsize=4096)
def is_credential_name(name: str) -> bool:
    """Return True when a variable name says its value is a credential."""
    if not name.isascii():
        # Full-width and other compatibility letters (ＰＡＳＳＷＯＲＤ) read as the ASCII word they look like.
        name = unicodedata.normalize("NFKC", name)
    words = name_words(name)
    if not words or name.upper() in _NOT_SECRET_NAMES:
        return False
    if "_".join(words) in _CREDENTIAL_NAMES or _BUNDLER_HOST.match(name.upper()):
        return True
    last = words[-1]
    if last in _CREDENTIAL_WORDS:
        return True
    if last == "KEY":
        return len(words) >= 2 and words[-2] not in _NON_SECRET_KEY_PREFIXES
    return False


def redact(value: str) -> str:
    """Return a form of ``value`` that is safe to print: a short prefix and a mask.

    A value that is already masked comes back unchanged.
    """
    if _MASKED.match(value):
        return value
    shown = min(4, len(value) // 4)
    return f"{value[:shown]}****"


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """A credential found in free text: its kind, the secret part and where that part is.

    ``matched`` is the text the shape matched, up to the end of ``value``. It is
    more than ``value`` for a credential inside a larger match, such as
    ``--password=value``.
    """

    kind: str
    value: str
    start: int
    end: int
    matched: str


def scan_tokens(text: str) -> tuple[TokenMatch, ...]:
    """Find every known token shape in ``text``, in one pass.

    The Dockerfile normalizer scans its source once for redaction and once for
    the secret-token facts; the small cache makes the second call free.
    """
    if not text:
        return ()
    return _scan_tokens(text)


@functools.lru_cache(maxsize=16)
def _scan_tokens(text: str) -> tuple[TokenMatch, ...]:
    if not _token_present(text):
        return ()
    found: list[TokenMatch] = []
    try:
        matches = list(_ANY_TOKEN.finditer(text))
    except UnicodeEncodeError:
        # google-re2 encodes strictly, and image JSON may hold lone surrogates. U+FFFD in their place keeps
        # every offset, so the text is masked at the right places. A value found there shows U+FFFD instead.
        matches = list(_ANY_TOKEN.finditer(_SURROGATE.sub("\ufffd", text)))
    for match in matches:
        token = _token_of(match)
        if token is not None:
            found.append(token)
    return tuple(found)


def _token_present(text: str) -> bool:
    """Return whether some token shape may be in ``text``, with the search of :func:`scan_tokens` without its groups.

    Google-re2's wrapper decodes the span of every group of every match, and the
    combined shapes have dozens of groups, so a search that finds nothing takes
    about 4 µs. Most texts contain no token, and this test takes about 1 µs on them.
    """
    test = _PRESENCE_TEST
    if test is None:
        test = _presence_test()
    return test(text)


def _presence_test() -> Callable[[str], bool]:
    global _PRESENCE_TEST
    # Imported on first use: the policy package is not needed to read a document without tokens.
    from .policy.regex import search_any

    test = search_any([re2.compile(_ANY_TOKEN.pattern, _ANY_TOKEN.options)], memo=False)
    _PRESENCE_TEST = test
    return test


_PRESENCE_TEST: Callable[[str], bool] | None = None
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _token_of(match: Any) -> TokenMatch | None:
    kind, value_group = _SHAPES[int(match.lastgroup[1:])]
    if value_group is None:
        return TokenMatch(kind, match.group(0), match.start(), match.end(), match.group(0))
    value = match.group(value_group)
    # NPM_TOKEN=npm_... is an npm token first: name the more specific shape when the value has one.
    # A specific shape also overrides the placeholder test, which a JWT (three dotted words) passes.
    specific = _SPECIFIC_TOKEN.search(value)
    if specific is not None:
        kind = _SHAPES[int(specific.lastgroup[1:])][0]
    elif _NOT_A_VALUE.match(value):
        return None
    start, end = match.span(value_group)
    # The shape may also match the quote or blank after the value; that is no part of the credential.
    return TokenMatch(kind, value, start, end, match.group(0)[: end - match.start()])


def token_shape(text: str) -> str | None:
    """Return the kind of the first known token shape in ``text``, if any."""
    tokens = scan_tokens(text)
    return tokens[0].kind if tokens else None


def find_tokens(text: str) -> list[str]:
    """Return every substring of ``text`` that has a known token shape, and the secret part of each when it is smaller.

    Callers mask these substrings wherever they appear, so the secret part alone,
    as in an assignment's value, is masked too.
    """
    found: list[str] = []
    for token in scan_tokens(text):
        found.append(token.matched)
        if token.value != token.matched:
            found.append(token.value)
    return found


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
    # Generated keys are usually written in base64, base32, hex or URL-safe letters. A URL, a host:port list or
    # a query string mixes the same classes of characters, but is not key material.
    if not _KEY_ALPHABET.match(value):
        return False
    classes = sum(
        (
            any(char.islower() for char in value),
            any(char.isupper() for char in value),
            any(char.isdigit() for char in value),
        )
    )
    return classes >= 3 and _entropy(value) >= 4.0


# The same assignments (ENV NODE_ENV=production, PYTHONUNBUFFERED=1) come back in file after file.
# A match is frozen, so one can be shared.
@functools.lru_cache(maxsize=4096)
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
    """Mask known secret values and every token shape inside free text.

    Idempotent: masks left by the first step or by an earlier call stay as they
    are, although ``NAME=tok_****`` still has the shape of a credential assignment.
    """
    for secret in sorted(_with_lines(secrets), key=len, reverse=True):
        if secret and secret in text:
            text = text.replace(secret, redact(secret))
    tokens = scan_tokens(text)
    if not tokens:
        return text
    pieces: list[str] = []
    position = 0
    for token in tokens:
        pieces.append(text[position : token.start])
        pieces.append(redact(token.value))
        position = token.end
    pieces.append(text[position:])
    return "".join(pieces)


# Lines of a multi-line secret shorter than this are not masked on their own: "-----" or "}" are no secret.
_MIN_SECRET_LINE = 8


def _with_lines(secrets: frozenset[str] | set[str]) -> set[str]:
    """Add the lines of each multi-line secret (a private key), because source lines are redacted one at a time."""
    if not any("\n" in secret for secret in secrets):
        return set(secrets)
    expanded = set(secrets)
    for secret in secrets:
        if "\n" in secret:
            expanded.update(line.strip() for line in secret.splitlines() if len(line.strip()) >= _MIN_SECRET_LINE)
    return expanded


def texts_to_mask(
    texts: Sequence[str], secret_values: frozenset[str] | set[str] = frozenset(), also: re.Pattern[str] | None = None
) -> list[int]:
    """Return the positions of the texts that may hold a known secret value or a token shape.

    One search over the texts joined by newlines replaces one search per text.
    No token shape spans a newline, and a newline ends a word as the end of a
    text does, so every text in which :func:`scan_tokens` finds a token overlaps
    a match of the joined search. ``also`` is one more pattern to look for in
    the same way; it must not match across a newline either. A text reported
    here may still hold nothing: callers mask each one with a function such as
    :func:`redact_text`, which decides.
    """
    joined = "\n".join(texts)
    present = [secret for secret in _with_lines(secret_values) if secret and secret in joined]
    if not present and not _token_present(joined) and (also is None or not also.search(joined)):
        return []
    ends = list(itertools.accumulate(len(text) + 1 for text in texts))
    flagged: set[int] = set()
    matches: Iterable[Any] = _ANY_TOKEN.finditer(joined)
    if also is not None:
        matches = itertools.chain(matches, also.finditer(joined))
    for match in matches:
        first = bisect.bisect_right(ends, match.start())
        last = bisect.bisect_right(ends, max(match.start(), match.end() - 1))
        flagged.update(range(first, min(last, len(texts) - 1) + 1))
    if present:
        flagged.update(number for number, text in enumerate(texts) if any(secret in text for secret in present))
    return sorted(flagged)


def mask_texts(texts: list[str], secret_values: frozenset[str] | set[str]) -> list[str]:
    """Return the texts with known secret values and token shapes masked, as :func:`redact_text` masks each one.

    One search over all the texts (:func:`texts_to_mask`) finds the few to mask.
    The list is returned as it is when nothing is masked.
    """
    masked = texts
    for number in texts_to_mask(texts, secret_values):
        if masked is texts:
            masked = list(texts)
        masked[number] = redact_text(texts[number], secret_values)
    return masked


def mask_tree(
    value: Any,
    secret_values: frozenset[str] | set[str],
    mask: Callable[[str], str] | None = None,
    also: re.Pattern[str] | None = None,
) -> Any:
    """Return JSON-like data with every text that contains a secret masked, searching its distinct texts at once.

    ``mask`` masks one text (default: :func:`redact_text` with ``secret_values``).
    It runs only on the texts that :func:`texts_to_mask` reports, with ``also``.
    A document contains thousands of texts and few secrets, so one search finds
    the few. Mapping keys are kept, since they name fields and variables. The
    data is returned as it is when no text changes. When one does, every
    container is copied, because parts of the data may be shared with other documents.
    """
    texts: set[str] = set()
    _collect_texts(value, texts)
    distinct = list(texts)
    masked: dict[str, str] = {}
    for number in texts_to_mask(distinct, secret_values, also):
        text = distinct[number]
        replaced = mask(text) if mask is not None else redact_text(text, secret_values)
        if replaced != text:
            masked[text] = replaced
    return _replace_texts(value, masked) if masked else value


def _collect_texts(value: Any, texts: set[str]) -> None:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            texts.add(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _replace_texts(value: Any, masked: dict[str, str]) -> Any:
    if isinstance(value, str):
        return masked.get(value, value)
    if isinstance(value, dict):
        return {key: _replace_texts(item, masked) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_texts(item, masked) for item in value]
    return value


def redact_tree(value: Any, secret_values: frozenset[str] | set[str] = frozenset()) -> Any:
    """Return a copy of JSON-like data whose strings have known secret values and token shapes masked.

    Mapping keys are kept as they are, because they name fields and variables.
    Strings without a secret are returned unchanged, so the copy shares them.
    """
    if isinstance(value, str):
        if any(secret in value for secret in secret_values if secret) or scan_tokens(value):
            return redact_text(value, secret_values)
        return value
    if isinstance(value, dict):
        return {key: redact_tree(item, secret_values) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_tree(item, secret_values) for item in value]
    return value
