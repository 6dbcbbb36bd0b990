<?php
// The PHP layer (bindings-php, over libvoicecode through FFI) under bench/run.sh.
//
//   php php_layer.php loopback RESULTS SECONDS CONFIG_DIR

declare(strict_types=1);

require __DIR__ . '/../../bindings-php/src/VoiceCode.php';

[, $part, $results, $seconds, $configDir] = $argv;
if ($part !== 'loopback') {
    throw new InvalidArgumentException("unknown part $part");
}
$request = ['to' => '+8613800138000', 'code' => '4821'];
foreach (['huawei', 'ihuyi'] as $vendor) {
    $client = new VoiceCode\Client(file_get_contents("$configDir/$vendor.json"));
    for ($i = 0; $i < 20; $i++) {
        $client->sendCode($request);
    }
    $calls = 0;
    $started = hrtime(true);
    while (hrtime(true) - $started < (float) $seconds * 1e9) {
        $client->sendCode($request);
        $calls++;
    }
    $entry = json_encode(['part' => 'loopback', 'vendor' => $vendor, 'layer' => 'php-ffi',
        'per_s' => $calls / ((hrtime(true) - $started) / 1e9)]);
    echo $entry, "\n";
    file_put_contents($results, $entry . "\n", FILE_APPEND);
}
