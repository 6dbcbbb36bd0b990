"""Receives Huawei call-status pushes: verify, parse, handle each event once."""

from typing import Callable

import voicecode
from flask import Flask, request
from voicecode import callbacks


def create_app(
    status_url: str, app_secret: str, on_event: Callable[[callbacks.CallEvent], None]
) -> Flask:
    """``status_url`` exactly as in the Huawei config's ``status_url`` (the digest covers it)."""
    app = Flask(__name__)
    verifier = callbacks.HuaweiPushVerifier(app_secret, status_url)
    dedup = callbacks.Deduplicator()

    @app.post("/voicecode/huawei")
    def huawei_push() -> tuple[str, int]:
        try:
            verifier.verify(request.headers)
        except voicecode.AuthFailed:
            return "not a genuine push", 401
        try:
            events = callbacks.parse("huawei", request.headers, request.get_data())
        except voicecode.InvalidInput:
            return "not a status push", 400
        for event in events:
            if dedup.first_time(event):  # vendors repeat pushes
                on_event(event)
        return "", 200  # Huawei expects HTTP 200

    return app


if __name__ == "__main__":
    import os

    url = os.environ["VOICECODE_STATUS_URL"]  # e.g. https://example.com/voicecode/huawei
    secret = os.environ["VOICECODE_APP_SECRET"]
    create_app(url, secret, lambda e: print(e.message_id, e.event, e.state_code)).run()
