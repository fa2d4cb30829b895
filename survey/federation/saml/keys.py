"""The service provider's own key pair: an RSA key and a self-signed certificate in
`instance/saml/`, which sign our AuthnRequests and LogoutRequests and which the IdP (or the
federation's metadata) holds for us.

Made once, by `survey saml keys` or on the first start that needs them; the key file is
written 0600 and never replaced behind the operator's back (a new key means sending the
federation new metadata), so `ensure` only makes what is missing.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

#: RSA size: Sweden Connect's and Sambi's technical frameworks ask for at least 2048 bits;
#: 3072 lasts past 2030 (NIST SP 800-57).
KEY_BITS = 3072
#: A self-signed metadata certificate is a key holder, not a trust anchor: its dates are
#: not what makes it trusted (the federation's metadata is), so it may last long.
VALID_FOR = dt.timedelta(days=10 * 365)


@dataclass(frozen=True)
class KeyPair:
    key_file: Path
    cert_file: Path

    def certificate_pem(self) -> str:
        return self.cert_file.read_text()


def key_pair(instance_path: str | os.PathLike[str]) -> KeyPair:
    folder = Path(instance_path) / "saml"
    return KeyPair(folder / "sp-key.pem", folder / "sp-cert.pem")


def ensure(instance_path: str | os.PathLike[str], common_name: str) -> tuple[KeyPair, bool]:
    """The key pair, made now if either file is missing; True when it was made."""
    pair = key_pair(instance_path)
    if pair.key_file.exists() and pair.cert_file.exists():
        return pair, False
    return make(pair, common_name), True


def make(pair: KeyPair, common_name: str) -> KeyPair:
    """A new key (0600) and its self-signed certificate, replacing any there."""
    pair.key_file.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(pair.key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key_pem)
    os.chmod(pair.key_file, 0o600)  # an existing file keeps its mode through O_CREAT
    pair.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return pair


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the DER certificate as upper-case hex pairs joined by colons, the form
    `openssl x509 -fingerprint -sha256` prints (and the configuration pins)."""
    digest = certificate.fingerprint(hashes.SHA256())
    return ":".join(f"{byte:02X}" for byte in digest)


def normalise_fingerprint(text: str) -> str:
    """A pinned fingerprint as typed (colons or not, any case, a 'sha256:' prefix) in the
    form `fingerprint` gives."""
    hex_digits = "".join(c for c in text.lower().removeprefix("sha256:") if c in "0123456789abcdef")
    return ":".join(hex_digits[i : i + 2] for i in range(0, len(hex_digits), 2)).upper()
