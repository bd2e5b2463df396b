"""The files of an image's layers worth listing: secrets and files that should not ship.

A layer can hold a hundred thousand files, and listing them all would make
every image document megabytes long. The layer scan therefore records only the
files whose names mark them as one of these:

* folders of version control, editors, caches and credential stores (``.git``,
  ``.vscode``, ``.npm``, ``.cache``, ``.aws``, ``.ssh``...): the folder is recorded
  once, not the files under it;
* files that hold credentials by their nature (``.env`` files, private SSH keys,
  ``.git-credentials``, ``.netrc``, ``.pgpass``, keystores, Terraform state...);
* files that often hold credentials (``.npmrc``, ``.pypirc``, ``.dockercfg``,
  ``credentials``, ``.docker/config.json``, ``.kube/config``...), whose content
  is read to tell;
* PEM and key files, recorded only when they contain a private key, since
  ``/etc/ssl/certs`` alone has about a hundred public certificates;
* build files that have no place in a runtime image (``Dockerfile``, compose
  files, ``.dockerignore``, CI files, ``.DS_Store``).

Rules then choose among the recorded files with their own patterns. The
recognised names are those listed here; a file of another name is not seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import secrets

# Folders recorded as a whole: their contents are never listed one by one.
NOTABLE_FOLDERS = frozenset(
    {".git", ".svn", ".hg", ".bzr", ".aws", ".azure", ".gcloud", ".ssh", ".gnupg", ".docker", ".kube", ".npm",
     ".yarn", ".pnpm-store", ".cache", ".vscode", ".idea", ".terraform", ".vagrant", ".circleci", ".github"}
)  # fmt: skip

# Files recorded by name alone.
_NAMED = re.compile(
    r"""^(?:
        \.env(?:\..+)?|.+\.env
        |id_(?:rsa|dsa|ecdsa|ed25519|ecdsa_sk|ed25519_sk)
        |\.git-credentials|\.netrc|_netrc|\.pgpass|\.my\.cnf|\.htpasswd|\.boto|\.s3cfg
        |.+\.(?:p12|pfx|jks|keystore|ppk|kdbx|tfstate|tfstate\.backup|tfvars)
        |Dockerfile(?:\..+)?|.+\.[Dd]ockerfile|Containerfile(?:\..+)?
        |(?:docker-)?compose(?:\.[^/]+)?\.ya?ml|\.dockerignore
        |\.gitlab-ci\.yml|\.travis\.yml|Jenkinsfile|\.DS_Store|Thumbs\.db
    )$""",
    re.VERBOSE,
)
# Files recorded with their content read: they hold credentials only sometimes.
_READ = re.compile(r"^(?:\.npmrc|\.yarnrc(?:\.yml)?|\.pypirc|\.dockercfg|credentials(?:\.json|\.xml)?|secrets?\.(?:json|ya?ml|toml))$")
# Files recorded only when they contain a credential.
_CONTENT_GATED = re.compile(r"^.+\.(?:pem|key)$")
# Files recorded, content read, only in the folder of the tool that writes them.
_TOOL_FILES = {(".docker", "config.json"), (".kube", "config")}
# Only this much of a file is read to look for credentials.
MAX_READ_BYTES = 64 * 1024
_PRIVATE_KEY = "PRIVATE KEY-----"
# NAME=value, name: value or //registry/:_authToken=value: the last word of the name decides.
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_/][A-Za-z0-9_.:/-]*)\s*[=:]\s*['\"]?([^'\"\s#]+)")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A path to record: a notable folder, or a notable file and whether its content must be read.

    ``gated`` files are recorded only when their content contains a credential.
    """

    path: str
    folder: bool
    read: bool = False
    gated: bool = False


def candidates(path: str, is_folder: bool) -> list[Candidate]:
    """Return what to record for a member at ``path``: the notable folder it is in, and itself if its name is notable."""
    parts = path.strip("/").split("/")
    found = []
    for depth, part in enumerate(parts):
        if part in NOTABLE_FOLDERS and (depth < len(parts) - 1 or is_folder):
            found.append(Candidate("/" + "/".join(parts[: depth + 1]), folder=True))
            break
    if is_folder:
        return found
    name = parts[-1]
    parent = parts[-2] if len(parts) > 1 else ""
    if _NAMED.match(name):
        found.append(Candidate(path, folder=False, read=not name.startswith(("Dockerfile", "Containerfile"))))
    elif _READ.match(name) or (parent, name) in _TOOL_FILES:
        found.append(Candidate(path, folder=False, read=True))
    elif _CONTENT_GATED.match(name):
        found.append(Candidate(path, folder=False, read=True, gated=True))
    return found


def secret_reason(content: bytes) -> str | None:
    """Return why the start of a file contains a credential (private key, token shape, credential assignment), or None."""
    text = content[:MAX_READ_BYTES].decode("utf-8", "replace")
    if _PRIVATE_KEY in text:
        return "private-key"
    shape = secrets.token_shape(text)
    if shape is not None:
        return f"token:{shape}"
    for line in text.splitlines():
        match = _ASSIGNMENT.match(line)
        if match is None:
            continue
        name = match.group(1).rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        found = secrets.classify(name, match.group(2))
        if found is not None and found.reason == "key-name":
            return "key-name"
    return None
