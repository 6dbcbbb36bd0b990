"""Signs users up by phone: an SMS carries a code and the user types it back; when the SMS does
not arrive, the page starts again and a call speaks the same code."""

from __future__ import annotations

import os

import voicecode
from flask import Flask, request
from flask.typing import ResponseReturnValue

# How an unsuccessful check is answered: 400 try again, 410 start again, 429 locked.
CHECK_STATUS = {"wrong_code": 400, "expired": 410, "not_found": 410, "canceled": 410}
# The channels a page may ask for; none leaves it to the verifier's workflow.
CHANNELS: dict[str | None, voicecode.Product | None] = {None: None, "sms": "sms", "voice": "voice"}


def create_app(verifier: voicecode.Verifier) -> Flask:
    app = Flask(__name__)

    def field(name: str) -> str | None:
        value = (request.get_json(silent=True) or {}).get(name)
        return value if isinstance(value, str) else None

    def invalid(name: str | None) -> ResponseReturnValue:
        return {"error": "invalid_input", "field": "phone" if name == "to" else name}, 400

    @app.post("/signup/start")
    def start() -> ResponseReturnValue:
        # Started again within the code's lifetime, the same code goes by the next channel (a
        # call after the SMS); the page may also ask for a channel ("voice").
        phone, channel = field("phone"), field("channel")
        if phone is None or channel not in CHANNELS:
            return invalid("phone" if phone is None else "channel")
        try:
            # The client's IP counts against key_hourly_cap (behind a proxy, use werkzeug's
            # ProxyFix so that remote_addr is the client's).
            verification = verifier.start(phone, key=request.remote_addr, channel=CHANNELS[channel])
        except (voicecode.RateLimited, voicecode.QuietHours) as e:
            wait = {"Retry-After": str(e.retry_after)} if e.retry_after is not None else {}
            return {"error": e.kind, "retry_after": e.retry_after}, 429, wait
        except voicecode.InvalidInput as e:
            return invalid(e.field)
        # "may_have_been_sent" is accepted too: the phone may ring, and the code is valid.
        expires_at = verification.expires_at.isoformat()
        sent = {"status": verification.status, "channel": verification.channel}
        return {**sent, "expires_at": expires_at}, 202

    @app.post("/signup/check")
    def check() -> ResponseReturnValue:
        phone, code = field("phone"), field("code")
        if phone is None or code is None:
            return invalid("phone" if phone is None else "code")
        try:
            result = verifier.check(phone, code)
        except voicecode.InvalidInput as e:  # not a code at all: no attempt was used
            return invalid(e.field)
        if result:
            return {"status": "approved"}, 200  # create the account here
        return result.to_dict(), CHECK_STATUS.get(result.status, 429)

    return app


def verifier_from_env() -> voicecode.Verifier:
    """Channels from the config files named by ``VOICECODE_CHANNEL_CONFIG`` (comma-separated:
    ``aliyun-sms.toml,huawei.toml`` texts first and calls on a resend), the secret from
    ``VOICECODE_VERIFIER_SECRET``, and a store every worker process shares."""
    paths = os.environ["VOICECODE_CHANNEL_CONFIG"].split(",")
    channels = [voicecode.Client.from_file(path) for path in paths]
    config = {
        "secret": os.environ["VOICECODE_VERIFIER_SECRET"],
        "store": os.environ.get("VOICECODE_VERIFIER_STORE", "sqlite:signup-codes.db"),
        "key_hourly_cap": 20,
    }
    return voicecode.Verifier(channels, config)


if __name__ == "__main__":
    create_app(verifier_from_env()).run()
