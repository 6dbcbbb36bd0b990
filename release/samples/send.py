"""Install-test sample: sends a code with the installed wheel, through the config named on the
command line, and checks that a bad request is refused as invalid_input before sending."""

import sys

import voicecode

client = voicecode.Client.from_file(sys.argv[1])
receipt = client.send_code("+8613800138000", "4821")
print(f"python {voicecode.__version__}: call {receipt.message_id} accepted by {receipt.vendor}")
try:
    client.send_code("+8613800138000", "12")
except voicecode.InvalidInput as e:
    print(f"python: refused before sending: {e.kind}")
else:
    sys.exit("a two-digit ihuyi code was accepted")
