<?php
// The PHP layer (bindings-php, over libvoicecode through FFI) under bench/run.sh.
//
//   php php_layer.php loopback|side-by-side RESULTS SECONDS CONFIG_DIR
//
// `loopback` times the layer alone (bench/profile.sh profiles it so). `side-by-side` times it in
// one process with the curl baseline (bench/baselines/curl_baseline.php) and with that baseline
// again on a second curl handle, the control: in turns of a few dozen sends each, whose order
// reverses every turn, so that load from elsewhere on the machine falls on all three alike.
// Timed as separate processes, the baseline against itself moved by up to 40 % from one round
// to the next, which hid whether the layer was a few percent ahead or behind.

declare(strict_types=1);

require __DIR__ . '/../../bindings-php/src/VoiceCode.php';
require __DIR__ . '/../baselines/curl_baseline.php'; // its sends, rate() and record()

/** Sends of one contender per turn of `side-by-side`: a few milliseconds. */
const SLICE = 32;

[, $part, $results, $seconds, $configDir] = $argv;
$request = ['to' => CALLEE, 'code' => CODE];

foreach (SENDS as $vendor => $baselineSend) {
    $config = file_get_contents("$configDir/$vendor.json");
    $client = new VoiceCode\Client($config);
    $layer = fn () => $client->sendCode($request);
    if ($part === 'loopback') {
        record($results, $vendor, 'php-ffi', rate($layer, (float) $seconds));
    } elseif ($part === 'side-by-side') {
        $cfg = json_decode($config, true, 512, JSON_THROW_ON_ERROR);
        $curl = curl_init();
        $again = curl_init();
        $contenders = [
            'php-curl' => fn () => $baselineSend($curl, $cfg),
            'php-ffi' => $layer,
            'php-curl-again' => fn () => $baselineSend($again, $cfg),
        ];
        $spent = array_fill_keys(array_keys($contenders), 0);
        foreach ($contenders as $send) {
            for ($i = 0; $i < 20; $i++) {
                $send();
            }
        }
        $turns = 0;
        $started = hrtime(true);
        while (hrtime(true) - $started < 3 * (float) $seconds * 1e9) {
            $order = $turns % 2 ? array_reverse($contenders, true) : $contenders;
            foreach ($order as $name => $send) {
                $slice = hrtime(true);
                for ($i = 0; $i < SLICE; $i++) {
                    $send();
                }
                $spent[$name] += hrtime(true) - $slice;
            }
            $turns++;
        }
        foreach ($spent as $name => $ns) {
            record($results, $vendor, $name, $turns * SLICE / ($ns / 1e9));
        }
    } else {
        throw new InvalidArgumentException("unknown part $part");
    }
}
