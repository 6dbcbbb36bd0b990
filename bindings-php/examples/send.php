<?php
// The README's PHP example: send a voice code with the channel config in the JSON file named on
// the command line (e.g. one written by `voicecode-sim --write-configs DIR`).
require __DIR__ . '/../src/VoiceCode.php';

$client = new VoiceCode\Client(file_get_contents($argv[1]));
try {
    $receipt = $client->sendCode(['to' => '+8613800138000', 'code' => '4821']);
    echo "call {$receipt['message_id']} accepted by {$receipt['vendor']}\n";
} catch (VoiceCode\VoiceCodeException $e) {
    echo "{$e->kind} ({$e->outcome}, vendor code {$e->vendorCode}): {$e->getMessage()}\n";
    exit(1);
}
