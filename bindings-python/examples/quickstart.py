import voicecode

client = voicecode.Client.from_file("ihuyi.toml")  # or voicecode.Client({"vendor": "ihuyi", ...})
receipt = client.send_code("+8613800138000", "4821")
print(f"{receipt.vendor} accepted call {receipt.message_id}")
