"""The provider's RS256 signing keys: one active key signs, the retired ones stay published in the JWKS.

Read by the settings module while it loads, so this module imports nothing from Django. The active key is
``ZHIJIAO_OIDC_KEY`` (a PEM) when set; otherwise the newest ``*.pem`` under ``$ZHIJIAO_HOME/oidc/``, made on
first use. ``zhijiao oidc-keys rotate`` writes a newer file: the previous keys become inactive but stay in the
JWKS (DOT's ``OIDC_RSA_PRIVATE_KEYS_INACTIVE``) so ID tokens signed with them still verify until they expire.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto import jwk

# Retired keys kept in the JWKS: far more than an ID token's lifetime needs, few enough to keep the JWKS small.
RETIRED_KEPT = 3
KEY_BITS = 2048
FIRST_KEY_NAME = "0000000000000000000.pem"


@dataclass(frozen=True)
class SigningKeys:
    active: str  # PEM
    inactive: tuple[str, ...]
    source: str  # "env" or the active key's file


def _new_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _write_private(path: Path, pem: str) -> Path:
    """Write ``pem`` to ``path`` atomically, 0600 from the start; if another process got there first, keep theirs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.{time.time_ns()}")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(pem)
    try:
        os.link(scratch, path)  # all or nothing: a reader never sees half a key, two writers never both win
    except FileExistsError:
        pass
    finally:
        scratch.unlink()
    return path


def key_files(directory: Path) -> list[Path]:
    """The key files, oldest first (names are creation timestamps)."""
    return sorted(directory.glob("*.pem")) if directory.is_dir() else []


def _new_key_file(directory: Path, *, first: bool = False) -> Path:
    # Names sort by age. The first key has a fixed name, so processes starting together agree on one key.
    name = FIRST_KEY_NAME if first else f"{time.time_ns()}.pem"
    return _write_private(directory / name, _new_pem())


def load_signing_keys(*, env_pem: str, directory: Path) -> SigningKeys:
    """The active key and the retired ones still published, generating the first key file when there is none."""
    files = key_files(directory)
    if env_pem.strip():
        # the operator manages the key; files left from before (if any) stay published for old tokens
        return SigningKeys(env_pem.strip() + "\n", tuple(f.read_text() for f in files[-RETIRED_KEPT:]), "env")
    if not files:
        files = [_new_key_file(directory, first=True)]
    retired = files[:-1][-RETIRED_KEPT:]
    return SigningKeys(files[-1].read_text(), tuple(f.read_text() for f in reversed(retired)), str(files[-1]))


def rotate(*, directory: Path) -> Path:
    """Make a new active key; the newest retired ones stay for the JWKS, older files are deleted."""
    path = _new_key_file(directory)
    for stale in key_files(directory)[: -(RETIRED_KEPT + 1)]:
        stale.unlink()
    return path


def kid(pem: str) -> str:
    """The key id published in the JWKS and put in each token's header: the JWK thumbprint (as DOT does)."""
    return jwk.JWK.from_pem(pem.encode()).thumbprint()


def public_jwk(pem: str) -> dict:
    key = jwk.JWK.from_pem(pem.encode())
    return {"alg": "RS256", "use": "sig", "kid": key.thumbprint(), **json.loads(key.export_public())}
