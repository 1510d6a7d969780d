#!/usr/bin/env python3
"""A real SMTP server on a loopback port for the email alert tests (tests/api/alerts_email_test.cpp).

Debian's python3-aiosmtpd (scripts/bootstrap installs it) does the protocol; this script only
configures it and records what arrives. It listens on 127.0.0.1 on a free port and prints
`ready <port>` once it accepts connections (the test waits for that line, not for a time).
Every accepted message becomes <out>/msg-<n>.json, written whole and then renamed into place:
{"mail_from", "rcpt_tos", "data" (the message as received, dot-stuffing undone), "tls",
"login"}.

  --starttls CERT KEY   offer STARTTLS and refuse mail before it
  --implicit-tls CERT KEY   TLS from the first byte (port 465 style)
  --auth USER:PASSWORD  require AUTH (PLAIN or LOGIN) with these credentials
  --fail-data N         answer the first N DATA commands `451 4.3.0 try again later`
  --reject-rcpt ADDR    answer RCPT TO for ADDR `550 5.1.1 no such user`

Exit 77 when aiosmtpd is not installed (the test then reports itself skipped).
"""
import argparse
import asyncio
import json
import os
import ssl
import sys

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    print("python3-aiosmtpd is not installed", file=sys.stderr)
    sys.exit(77)


class Recorder:
    def __init__(self, out_dir, fail_data, reject_rcpt, implicit_tls):
        self.out_dir = out_dir
        self.fail_data = fail_data
        self.reject_rcpt = reject_rcpt
        self.implicit_tls = implicit_tls
        self.data_commands = 0
        self.accepted = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.reject_rcpt:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_commands += 1
        if self.data_commands <= self.fail_data:
            return "451 4.3.0 try again later"
        self.accepted += 1
        auth = session.auth_data
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.original_content.decode("utf-8", "replace"),
            "tls": self.implicit_tls or session.ssl is not None,
            "login": auth.login.decode() if isinstance(auth, LoginPassword) else None,
        }
        path = os.path.join(self.out_dir, "msg-%d.json" % self.accepted)
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 accepted"


def tls_context(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--auth")
    p.add_argument("--fail-data", type=int, default=0)
    p.add_argument("--reject-rcpt")
    a = p.parse_args()

    recorder = Recorder(a.out, a.fail_data, a.reject_rcpt, a.implicit_tls is not None)
    kwargs = {"hostname": "receiver.test", "auth_require_tls": a.starttls is not None}
    if a.starttls:
        kwargs.update(tls_context=tls_context(*a.starttls), require_starttls=True)
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
                and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

        kwargs.update(authenticator=authenticator, auth_required=True)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(recorder, **kwargs), "127.0.0.1", 0,
                                      ssl=tls_context(*a.implicit_tls) if a.implicit_tls else None)
    print("ready %d" % server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
