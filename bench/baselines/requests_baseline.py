"""The same voice-code sends written the way the vendors' Python demos do it: ``requests``
(one ``Session``, so connections are kept alive) with ``hashlib``/``hmac`` signing.

Huawei ``callVerify``: ``X-AKSK`` with ``PasswordDigest = Base64(HMAC-SHA256(appSecret,
Nonce + Created))``; ihuyi ``Submit``: the dynamic password ``md5(account + APIKEY + mobile +
content + time)``. The simulator checks both signatures, so a wrong baseline fails loudly.

    python requests_baseline.py loopback SIM_URL RESULTS SECONDS CONFIG_DIR
    python requests_baseline.py sign RESULTS SECONDS        # Huawei signing alone (timeit)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import time
import timeit
import uuid
from pathlib import Path
from typing import Any

import requests

CALLEE = "+8613800138000"
CODE = "4821"


def huawei_request(cfg: dict[str, Any]) -> tuple[dict[str, str], str]:
    """Headers and body of one callVerify, as the vendor demo builds them (UTC time here)."""
    nonce = uuid.uuid4().hex
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    digest = hmac.new(
        cfg["app_secret"].encode(), (nonce + created).encode(), hashlib.sha256
    ).digest()
    headers = {
        "Content-Type": "application/json;charset=UTF-8",
        "Authorization": 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"',
        "X-AKSK": (
            f'UsernameToken Username="{cfg["app_key"]}",'
            f'PasswordDigest="{base64.b64encode(digest).decode()}",'
            f'Nonce="{nonce}",Created="{created}"'
        ),
    }
    body = json.dumps(
        {
            "displayNbr": cfg["display_number"],
            "calleeNbr": CALLEE,
            "languageType": 2,
            "preTone": cfg["pre_tone"],
            "verifyCode": CODE,
        }
    )
    return headers, body


def send_huawei(session: requests.Session, cfg: dict[str, Any]) -> None:
    headers, body = huawei_request(cfg)
    url = cfg["base_url"] + "/rest/httpsessions/callVerify/v1.0"
    answer = session.post(url, data=body.encode(), headers=headers, timeout=10).json()
    if answer.get("resultcode") != "0":
        raise RuntimeError(f"huawei refused the baseline: {answer}")


def send_ihuyi(session: requests.Session, cfg: dict[str, Any]) -> None:
    mobile = CALLEE[3:]
    now = str(int(time.time()))
    password = hashlib.md5(
        (cfg["account"] + cfg["api_key"] + mobile + CODE + now).encode()
    ).hexdigest()
    form = {
        "account": cfg["account"],
        "password": password,
        "mobile": mobile,
        "content": CODE,
        "time": now,
        "format": "json",
    }
    url = cfg["base_url"] + "/webservice/voice.php?method=Submit"
    answer = session.post(url, data=form, timeout=10).json()
    if answer.get("code") != 2:
        raise RuntimeError(f"ihuyi refused the baseline: {answer}")


SENDERS = {"huawei": send_huawei, "ihuyi": send_ihuyi}


def rate(seconds: float, work: Any) -> float:
    for _ in range(20):
        work()
    calls, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        work()
        calls += 1
    return calls / (time.perf_counter() - started)


def record(results: str, entry: dict[str, Any]) -> None:
    print(json.dumps(entry))
    with open(results, "a", encoding="utf-8") as out:
        out.write(json.dumps(entry) + "\n")


def main() -> None:
    part = sys.argv[1]
    if part == "sign":
        results, seconds = sys.argv[2], float(sys.argv[3])
        cfg = {
            "app_key": "k" * 27,
            "app_secret": "s" * 28,
            "display_number": "+8675528001288",
            "pre_tone": "welcome.wav",
        }
        timer = timeit.Timer(lambda: huawei_request(cfg))
        number, _ = timer.autorange()
        repeats = max(3, int(seconds / max(timer.timeit(number), 1e-3)))
        best = min(timer.repeat(repeat=min(repeats, 20), number=number)) / number
        record(
            results,
            {"part": "micro", "layer": "python-hashlib-huawei-sign", "ns": best * 1e9},
        )
        return
    _sim, results, seconds, config_dir = (
        sys.argv[2],
        sys.argv[3],
        float(sys.argv[4]),
        sys.argv[5],
    )
    session = requests.Session()
    for vendor, send in SENDERS.items():
        cfg = json.loads(Path(config_dir, f"{vendor}.json").read_text(encoding="utf-8"))
        per_s = rate(seconds, lambda send=send, cfg=cfg: send(session, cfg))
        record(
            results,
            {
                "part": "loopback",
                "vendor": vendor,
                "layer": "python-requests",
                "per_s": per_s,
            },
        )


if __name__ == "__main__":
    main()
