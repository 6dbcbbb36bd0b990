import asyncio

import voicecode


async def main() -> None:
    client = voicecode.Client.from_file("ihuyi.toml")
    receipts = await asyncio.gather(
        client.send_code_async("13800138000", "4821"),
        client.send_code_async("13900139000", "7305"),
    )
    print([r.message_id for r in receipts])


asyncio.run(main())
