import logging

import voicecode

log = logging.getLogger(__name__)


def call_with_code(client: voicecode.Client, to: str, code: str) -> str:
    """Asks for a verification call; returns what to tell the user."""
    try:
        receipt = client.send_code(to, code)
    except voicecode.InvalidInput as e:  # nothing was sent: the request breaks a rule
        return f"please check the {e.field}"
    except voicecode.VoiceCodeError as e:
        if e.outcome == "unknown":  # it may be ringing: never resend blindly
            log.warning("call to %s may be under way: %s", to, e)
            return "calling you now"  # the call-status callback will tell
        if e.retryable:  # refused or not sent, and may work later (or via a Router)
            return "the line is busy, try again in a minute"
        raise  # config, credentials or account: a problem for the operators
    log.info("%s accepted call %s", receipt.vendor, receipt.message_id)
    return "calling you now"
