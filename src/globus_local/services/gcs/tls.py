"""A local certificate authority and the certificate of the GCS Manager's TLS listener,
kept in the data directory: clients that only speak HTTPS to a GCS Manager (the real
globus-sdk's GCSClient) trust the CA, verification left on, through a bundle holding it
and the usual public roots (``REQUESTS_CA_BUNDLE`` for requests, ``GLOBUS_SDK_VERIFY_SSL``
for globus-sdk, which hands ``verify`` to requests itself)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from pathlib import Path

CA_FILE = "ca.pem"
BUNDLE_FILE = "ca-bundle.pem"
CERT_FILE = "server.pem"
KEY_FILE = "server-key.pem"
_DAYS = 3650


def tls_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "tls"


def ca_path(data_dir: Path) -> Path:
    """The bundle clients trust: the local CA, then the public roots (certifi's)."""
    return tls_dir(data_dir) / BUNDLE_FILE


def _write_bundle(directory: Path, ca_pem: bytes) -> None:
    try:
        import certifi

        roots = Path(certifi.where()).read_bytes()
    except ImportError:  # the local CA alone
        roots = b""
    (directory / BUNDLE_FILE).write_bytes(ca_pem + b"\n" + roots)


def ensure_certificate(data_dir: Path, host: str) -> tuple[Path, Path]:
    """(certificate, key) for ``host`` and localhost, signed by the data dir's CA; made
    once and reused, so a client that trusts the CA keeps trusting the server."""
    directory = tls_dir(data_dir)
    cert, key = directory / CERT_FILE, directory / KEY_FILE
    if cert.exists() and key.exists() and (directory / BUNDLE_FILE).exists():
        return cert, key
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "globus-local CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    for value in {host, "127.0.0.1"}:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(value)))
        except ValueError:
            names.append(x509.DNSName(value))
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (directory / CA_FILE).write_bytes(ca_cert.public_bytes(pem))
    _write_bundle(directory, ca_cert.public_bytes(pem))
    cert.write_bytes(server_cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    key_bytes = server_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key_bytes)
    return cert, key
