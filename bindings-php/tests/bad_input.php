<?php

declare(strict_types=1);

/*
 * The bad-input corpus (tests/corpus/bad_input.json, as the lines tests/corpus/to_lines.py
 * writes: the exact bytes the C ABI receives) through the PHP layer: every case throws a
 * VoiceCodeException of its kind naming its field, with outcome not_sent, and the simulator's
 * journal stays empty. Run: VOICECODE_LIB=… php tests/bad_input.php CORPUS_LINES
 */

require __DIR__ . '/support.php';

use VoiceCode\Client;
use VoiceCode\VoiceCodeException;

$lines = file($argv[1] ?? '', FILE_IGNORE_NEW_LINES);
if ($lines === false) {
    fwrite(STDERR, "usage: php tests/bad_input.php CORPUS_LINES\n");
    exit(2);
}
$sim = new Sim();
$url = $sim->baseUrl();
$cases = $skipped = $wrong = 0;
foreach ($lines as $line) {
    [$id, $what, $vendor, $op, $kind, $field, $hex, $product] = explode("\t", $line) + array_fill(0, 8, '');
    $cases++;
    if ($what === 'skip') {
        $skipped++;
        continue;
    }
    $payload = str_replace('@SIM@', $url, (string) hex2bin($hex));
    $got = null;
    try {
        if ($what !== 'send') {
            new Client($payload);
        } else {
            $client = new Client($sim->productConfig($vendor, $product ?: 'voice'));
            match ($op) {
                'send_code' => $client->sendCode($payload),
                'verify_captcha' => $client->verifyCaptcha($payload),
                'send_sms_code' => $client->sendSmsCode($payload),
            };
        }
    } catch (VoiceCodeException $e) {
        $got = $e;
    }
    $right = $got !== null && $got->kind === $kind && $got->field === $field && $got->outcome === 'not_sent';
    check($right, "$id: $kind on $field");
    if (!$right) {
        $wrong++;
        fwrite(STDERR, sprintf("%s: expected %s on %s, got %s\n", $id, $kind, $field,
            $got === null ? 'no error' : "{$got->kind} on " . ($got->field ?? '(none)') . ": {$got->getMessage()}"));
    }
}
$journal = 0;
foreach (['ytx', 'huawei', 'ihuyi', 'cloud10658', 'oneaccess', 'aliyun', 'tencent'] as $v) {
    foreach (['send_code', 'balance', 'captcha', 'verify_captcha', 'send_sms_code'] as $o) {
        $journal += $sim->count($v, $o);
    }
}
printf("bad-input corpus, PHP: %d cases, %d run, %d not expressible over the C ABI, %d failed, %d requests reached the simulator\n",
    $cases, $cases - $skipped, $skipped, $wrong, $journal);
check($cases >= 200, 'the corpus has at least 200 cases');
check($journal === 0, 'no request reached the simulator');
unset($client, $sim);
echo "php bad input: $passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
