"""Password hashers: argon2id at OWASP's parameters for people, salted SHA-256 for OAuth client secrets.

People's passwords are low-entropy, so they get a memory-hard hash. Django's default argon2 parameters
(100 MiB, 8 lanes) cost ~190 ms of CPU per login on our 2-core reference machine and 100 MiB per
concurrent login; OWASP's recommended argon2id configuration (19 MiB, 2 passes, 1 lane) keeps the
memory-hardness at a fraction of that. Stored hashes carry their parameters, so older hashes still verify
and are upgraded at the next sign-in.

Client secrets are 128 random characters issued by us: no dictionary can reach them, so a slow hash adds
nothing but ~180 ms to every token request of a confidential client. They get salted SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.hashers import Argon2PasswordHasher, BasePasswordHasher, mask_hash
from django.utils.crypto import constant_time_compare


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1


class ClientSecretHasher(BasePasswordHasher):
    """``zj_secret_sha256$salt$hexdigest`` — only for machine-generated, high-entropy client secrets."""

    algorithm = "zj_secret_sha256"

    def salt(self) -> str:
        return secrets.token_hex(8)

    def encode(self, password: str, salt: str) -> str:
        if password is None or not salt or "$" in salt:
            raise ValueError("client secret hasher: bad arguments")
        digest = hashlib.sha256(f"{salt}${password}".encode()).hexdigest()
        return f"{self.algorithm}${salt}${digest}"

    def decode(self, encoded: str) -> dict[str, Any]:
        algorithm, salt, digest = encoded.split("$", 2)
        assert algorithm == self.algorithm
        return {"algorithm": algorithm, "hash": digest, "salt": salt}

    def verify(self, password: str, encoded: str) -> bool:
        decoded = self.decode(encoded)
        return constant_time_compare(encoded, self.encode(password, decoded["salt"]))

    def safe_summary(self, encoded: str) -> dict[Any, Any]:
        decoded = self.decode(encoded)
        return {
            "algorithm": decoded["algorithm"],
            "salt": mask_hash(decoded["salt"]),
            "hash": mask_hash(decoded["hash"]),
        }

    def harden_runtime(self, password: str, encoded: str) -> None:
        pass
