import voicecode
from voicecode.testing import Simulator

with Simulator() as sim:  # every vendor on 127.0.0.1, with demo accounts
    client = voicecode.Client({**sim.config("huawei"), "timeout_ms": 500})
    assert client.send_code("13800138000", "4821").vendor == "huawei"

    sim.inject("huawei", "hang")  # the next request gets no answer
    try:
        client.send_code("13800138000", "4821")
    except voicecode.Timeout as e:
        assert e.outcome == "unknown"  # it may have been placed: do not resend
    else:
        raise AssertionError("expected a timeout")
    assert sim.count("huawei", "send_code") == 2
