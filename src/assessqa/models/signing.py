"""Ed25519 signatures over a model folder's meta.json.

meta.json holds the SHA-256 of every model file, so one signature over its bytes covers the whole folder.
The hashes alone only catch damage: anyone who can write the folder can update them. A signature made where
the model was trained, and checked against a public key the service is given
(``ASSESSQA_MODEL_PUBLIC_KEY``), means only the holder of the private key can ship a model the service loads.

Keys are PEM files (PKCS#8 private, SubjectPublicKeyInfo public), as ``openssl genpkey -algorithm ed25519``
also writes them. The signature lives beside meta.json as ``meta.json.sig`` (base64).
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from assessqa import errors

SIGNATURE_FILE = "meta.json.sig"


def generate_keypair(directory: Path) -> tuple[Path, Path]:
    """Write ``model-signing.key`` (private, mode 0600) and ``model-signing.pub`` into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    private_path, public_path = directory / "model-signing.key", directory / "model-signing.pub"
    private_path.touch(mode=0o600, exist_ok=False)
    private_path.write_bytes(private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ))
    public_path.write_bytes(private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ))
    return private_path, public_path


def _read_key(path: Path, private: bool) -> Ed25519PrivateKey | Ed25519PublicKey:
    try:
        data = Path(path).read_bytes()
        key = serialization.load_pem_private_key(data, None) if private else serialization.load_pem_public_key(data)
    except OSError as exc:
        raise errors.signing_key_invalid(str(path), exc.strerror or exc.__class__.__name__) from exc
    except (ValueError, TypeError) as exc:
        raise errors.signing_key_invalid(str(path), "not a PEM Ed25519 key") from exc
    wanted = Ed25519PrivateKey if private else Ed25519PublicKey
    if not isinstance(key, wanted):
        raise errors.signing_key_invalid(str(path), f"a {type(key).__name__}, not an Ed25519 key")
    return key


def sign_model(directory: Path, private_key: Path) -> Path:
    """Sign ``directory/meta.json`` with the private key; returns the signature file."""
    directory = Path(directory)
    key = _read_key(private_key, private=True)
    assert isinstance(key, Ed25519PrivateKey)
    meta = directory / "meta.json"
    if not meta.is_file():
        raise errors.model_missing(str(directory))
    target = directory / SIGNATURE_FILE
    target.write_text(base64.b64encode(key.sign(meta.read_bytes())).decode("ascii") + "\n", encoding="ascii")
    return target


def verify_model(directory: Path, meta_bytes: bytes, public_key: Path) -> None:
    """Check the folder's signature over exactly ``meta_bytes`` (the meta.json that will be used).

    Raises:
        ModelError: E106 when the signature is missing or wrong, E107 when the key cannot be read.
    """
    directory = Path(directory)
    key = _read_key(public_key, private=False)
    assert isinstance(key, Ed25519PublicKey)
    sig_path = directory / SIGNATURE_FILE
    if not sig_path.is_file():
        raise errors.model_signature(str(directory), f"no {SIGNATURE_FILE}")
    try:
        signature = base64.b64decode(sig_path.read_bytes().strip(), validate=True)
        key.verify(signature, meta_bytes)
    except (binascii.Error, ValueError, InvalidSignature) as exc:
        raise errors.model_signature(str(directory), "the signature does not match meta.json") from exc
