<?php

declare(strict_types=1);

/*
 * The secrets test (tests/secrets/scenario.json) through the PHP layer, run with
 * VOICECODE_LOG=trace: every operation of every vendor, each under every fault, with a wrong
 * secret and with a config error, then a router and the verifier. Every result and every
 * exception (message, fields, string form) is printed to stdout; the secrets go to SECRETS_OUT
 * only, for tests/secrets/check_output.py to search stdout and stderr for.
 *
 * Run: VOICECODE_LIB=… VOICECODE_LOG=trace php tests/secrets.php SECRETS_OUT
 */

require __DIR__ . '/support.php';

use VoiceCode\Client;
use VoiceCode\Router;
use VoiceCode\Verifier;
use VoiceCode\VoiceCodeException;

$scenario = json_decode(
    (string) file_get_contents(__DIR__ . '/../../tests/secrets/scenario.json'),
    true,
    512,
    JSON_THROW_ON_ERROR
);

/** Prints what a program could print of a call's outcome. */
function show(callable $call): void
{
    try {
        $result = $call();
        echo 'ok ', var_export($result, true), "\n";
    } catch (VoiceCodeException $e) {
        echo $e, "\n", var_export(get_object_vars($e), true), "\n";
    }
}

function operate(Client $client, array $operations): void
{
    foreach ($operations as $operation) {
        show(match ($operation) {
            'send_code' => fn () => $client->sendCode(['to' => '13800138000', 'code' => '4821']),
            'balance' => fn () => $client->balance(),
            'captcha' => fn () => $client->captcha(),
            'verify_captcha' => fn () => $client->verifyCaptcha(['token' => 't', 'x' => 237, 'y' => 5, 'mobile' => '13800138000']),
            'send_sms_code' => fn () => $client->sendSmsCode(['mobile' => '13800138000', 'purpose' => 'login', 'captcha_token' => 't']),
        });
    }
}

$sim = new Sim();
$secrets = [$scenario['wrong_secret'], $scenario['verifier_secret']];
foreach ($scenario['secret_keys'] as $vendor => $keys) {
    $operations = $scenario['operations'][$vendor];
    $config = $sim->config($vendor) + ['timeout_ms' => $scenario['timeout_ms']];
    $client = new Client($config);
    operate($client, $operations);
    foreach ($scenario['faults'] as $fault) {
        $sim->inject(['vendor' => $vendor, 'fault' => $fault, 'times' => count($operations)]);
        operate($client, $operations);
        $sim->clearFaults();
    }
    foreach ($keys as $key) {
        $secrets[] = $config[$key];
        operate(new Client([$key => $scenario['wrong_secret']] + $config), $operations);
        show(fn () => new Client($config + ['bogus' => 1]));
        show(fn () => new Client([$key => 12345] + $config));
    }
}
$router = new Router([$sim->config('huawei'), $sim->config('ytx')]);
$sim->inject(['vendor' => 'huawei', 'fault' => 'http_500']);
show(fn () => $router->sendCode(['to' => '13800138000', 'code' => '4821']));
$verifier = new Verifier($router, ['secret' => $scenario['verifier_secret']]);
show(fn () => $verifier->start('+8613800138000'));
show(fn () => $verifier->start('+8613800138000'));
show(fn () => $verifier->check('+8613800138000', '000000'));
show(fn () => new Verifier($router, ['secret' => $scenario['verifier_secret'], 'ttl' => 1]));
file_put_contents($argv[1], implode("\n", $secrets) . "\n");
unset($client, $router, $verifier, $sim);
