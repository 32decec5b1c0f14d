"""A local SMTP server for the integration tests of `zyklus announce --send`.

    python3 tests/smtp_server.py OUT --mode plain|starttls|tls [--auth] [--refuse ADDR]...

Listens on 127.0.0.1 (a free port), prints "PORT" on the first line of stdout
once it accepts connections, and runs until its standard input closes.

- `--mode starttls` offers STARTTLS, `--mode tls` speaks TLS from the first byte
  (implicit TLS), `--mode plain` offers neither. For both TLS modes a throw-away
  CA and a server certificate for 127.0.0.1/localhost are made at start (Python
  `cryptography`); the CA is written to OUT/ca.pem.
- `--auth` offers AUTH PLAIN/LOGIN and accepts any password, also without TLS
  (so that a test can prove the client does not send one).
- `--refuse ADDR` answers RCPT TO:<ADDR> with 550.

Every step is appended to OUT/events.jsonl as one JSON object a line:
{"event": "ehlo"|"starttls"|"auth"|"rcpt"|"data", "tls": bool, ...}; an "auth"
event carries the login and the password it received. Each delivered message is
written to OUT/NNN.eml and its recipients to OUT/NNN.rcpt.
"""

import argparse
import datetime
import ipaddress
import json
import os
import socket
import ssl
import sys
import logging
import threading

# aiosmtpd logs a warning about its own deprecated attributes on every AUTH.
logging.getLogger("mail.log").setLevel(logging.ERROR)

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword
except ImportError:
    sys.exit("the Python package aiosmtpd is missing: pip install -r tests/requirements.txt")


def make_certificates(out):
    """A CA (written to OUT/ca.pem) and a server certificate signed by it."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        sys.exit("the Python package cryptography is missing: pip install -r tests/requirements.txt")
    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "zyklus test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - day)
        .not_valid_after(now + day)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - day)
        .not_valid_after(now + day)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    with open(os.path.join(out, "ca.pem"), "wb") as f:
        f.write(ca.public_bytes(pem))
    cert_path = os.path.join(out, "server.pem")
    key_path = os.path.join(out, "server.key")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(pem))
    with open(key_path, "wb") as f:
        f.write(
            key.private_bytes(
                pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert_path, key_path)
    return ctx


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--mode", choices=["plain", "starttls", "tls"], default="plain")
    p.add_argument("--auth", action="store_true")
    p.add_argument("--refuse", action="append", default=[])
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    lock = threading.Lock()

    def log(server, **event):
        transport = getattr(server, "transport", None)
        tls = server.session is not None and server.session.ssl is not None
        if transport is not None and transport.get_extra_info("ssl_object") is not None:
            tls = True
        event["tls"] = tls
        with lock, open(os.path.join(a.out, "events.jsonl"), "a") as f:
            f.write(json.dumps(event) + "\n")

    class Handler:
        n = 0

        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            session.host_name = hostname
            log(server, event="ehlo", offered=[r[4:] for r in responses])
            return responses

        def handle_STARTTLS(self, server, session, envelope):
            log(server, event="starttls")
            return True

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            log(server, event="rcpt", to=address)
            if address in a.refuse:
                return "550 5.1.1 <%s>: mailbox unavailable" % address
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            Handler.n += 1
            log(server, event="data", to=envelope.rcpt_tos)
            base = os.path.join(a.out, "%03d" % Handler.n)
            with open(base + ".eml", "wb") as f:
                f.write(envelope.original_content or envelope.content)
            with open(base + ".rcpt", "w") as f:
                f.write("\n".join(envelope.rcpt_tos))
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        login = password = None
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode("utf-8", "replace")
            password = auth_data.password.decode("utf-8", "replace")
        log(server, event="auth", mechanism=mechanism, login=login, password=password)
        return AuthResult(success=True)

    kwargs = {}
    if a.mode == "starttls":
        kwargs["tls_context"] = make_certificates(a.out)
    elif a.mode == "tls":
        kwargs["ssl_context"] = make_certificates(a.out)
    if a.auth:
        kwargs["authenticator"] = authenticator
        kwargs["auth_require_tls"] = False
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    c = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
    c.start()
    print(port, flush=True)
    sys.stdin.read()
    c.stop()


if __name__ == "__main__":
    main()
