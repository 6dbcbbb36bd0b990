<?php

declare(strict_types=1);

/*
 * The PHP layer's declarations against include/voicecode.h, then the layer against the
 * simulator (the library's vc_sim_* testing facility): a send on each vendor and one error per
 * layer. Run: VOICECODE_LIB=…/libvoicecode.so php tests/run.php (the library must be built
 * with the `simulator` feature). Prints "N passed, N failed".
 */

require __DIR__ . '/support.php';
require __DIR__ . '/Header.php';

use VoiceCode\Callbacks;
use VoiceCode\CheckStatus;
use VoiceCode\Client;
use VoiceCode\HuaweiPushVerifier;
use VoiceCode\Library;
use VoiceCode\Router;
use VoiceCode\Verifier;
use VoiceCode\VoiceCodeException;

/**
 * Checks each declaration of an FFI::cdef text against the header: a typedef must be one of the
 * header's, a function must have the header's prototype to the letter (spacing aside), and only
 * the testing facility may use the header's VC_SIMULATOR section.
 */
function checkDeclarations(Header $header, string $cdef, string $what, bool $simulatorAllowed): void
{
    foreach (Header::declarations($cdef) as $declaration) {
        $name = Header::functionName($declaration);
        if ($name === null) {
            check(in_array($declaration, $header->typedefs, true), "$what: include/voicecode.h has the typedef $declaration");
            continue;
        }
        $declared = $header->functions[$name] ?? null;
        if ($declared === null) {
            check(false, "$what: include/voicecode.h declares $name");
            continue;
        }
        check($declared['prototype'] === $declaration, "$what: $declaration is the header's {$declared['prototype']}");
        check($simulatorAllowed || !$declared['simulator'], "$what: $name is the testing facility, absent from a shipped library");
    }
}

/**
 * The header's functions that the PHP layer leaves out on purpose. Anything else the header
 * adds outside the testing facility must be bound, or named here with the reason.
 */
const UNBOUND = [
    // A PHP process (PHP-FPM, mod_php) lives for one request, so an in-memory de-duplicator
    // would forget every event before the vendor repeats it: de-duplicate in the application's
    // shared store (a unique key on vendor, message id and event) instead.
    'vc_deduplicator_new',
    'vc_deduplicator_first_time',
    'vc_deduplicator_free',
    // VoiceCodeException is built from vc_error_json, which carries all of these.
    'vc_error_kind',
    'vc_error_outcome',
    'vc_error_retryable',
    'vc_error_message',
    'vc_error_field',
    'vc_error_vendor',
    'vc_error_vendor_code',
    'vc_error_vendor_message',
    'vc_error_retry_after',
    'vc_result_name',
    'vc_outcome_name',
    // Verifier::check reads vc_verifier_check_json, which also says the channel of an approval.
    'vc_verifier_check',
    'vc_check_name',
];

$send = ['to' => '+8613800138000', 'code' => '4821'];

// The declarations this layer and the tests use are the header's, and the layer binds every
// function the header exports, but for the ones it leaves out on purpose.
$header = new Header(__DIR__ . '/../../include/voicecode.h');
checkDeclarations($header, Library::DECLARATIONS, 'Library::DECLARATIONS', false);
checkDeclarations($header, Sim::DECLARATIONS, 'Sim::DECLARATIONS', true);
$bound = array_filter(array_map([Header::class, 'functionName'], Header::declarations(Library::DECLARATIONS)));
foreach ($header->functions as $name => $declared) {
    if (!$declared['simulator']) {
        check(in_array($name, $bound, true) !== in_array($name, UNBOUND, true), "$name is either bound or in UNBOUND, not both");
    }
}
foreach (UNBOUND as $name) {
    check(isset($header->functions[$name]), "UNBOUND names $name, a function of include/voicecode.h");
}
$sim = new Sim();

check(preg_match('/^\d+\.\d+\.\d+$/', Library::version()) === 1, 'version is MAJOR.MINOR.PATCH');

// A send on each vendor.
foreach (['ytx', 'huawei', 'ihuyi', 'cloud10658', 'aliyun', 'tencent'] as $vendor) {
    $client = new Client($sim->config($vendor));
    check($client->vendor() === $vendor, "$vendor client");
    $receipt = $client->sendCode($send);
    check($receipt['vendor'] === $vendor, "$vendor receipt names its vendor");
    check($receipt['message_id'] !== '', "$vendor receipt has a message id");
    check($sim->count($vendor, 'send_code') === 1, "$vendor journal counts one send");
}
// A code by SMS on each SMS product: the same client, a config with product 'sms'.
foreach (['huawei', 'ihuyi', 'aliyun', 'tencent'] as $vendor) {
    $client = new Client($sim->productConfig($vendor, 'sms'));
    $receipt = $client->sendCode(['to' => '+8613800136666', 'code' => '7302']);
    check($receipt['vendor'] === $vendor && $receipt['message_id'] !== '', "$vendor SMS receipt");
    check($sim->count($vendor, 'send_sms_code') === 1, "$vendor journal counts one SMS");
    check($sim->lastCode('13800136666') === '7302', "$vendor SMS code read back");
}
$balance = (new Client($sim->config('ytx')))->balance();
check($balance['vendor'] === 'ytx' && $balance['unit'] === 'yuan', 'ytx balance in yuan');

$oneaccess = new Client($sim->config('oneaccess'));
$captcha = $oneaccess->captcha();
check(strlen($captcha['jigsaw_image_base64']) > 0, 'oneaccess captcha has an image');
$token = $oneaccess->verifyCaptcha(['token' => $captcha['token'], 'x' => 237, 'y' => 5, 'mobile' => '13800138000']);
$oneaccess->sendSmsCode(['mobile' => '13800138000', 'purpose' => 'login', 'captcha_token' => $token]);
check($sim->count('oneaccess', 'send_sms_code') === 1, 'oneaccess journal counts one SMS');

// One error per layer.
$ihuyi = new Client($sim->config('ihuyi'));
$before = $sim->count('ihuyi', 'send_code');

// The C ABI's argument checks: bytes that are not UTF-8.
$e = expectError(fn () => $ihuyi->sendCode("{\"to\":\"\xff\",\"code\":\"4821\"}"));
check($e?->kind === 'invalid_input' && $e->field === 'request_json', 'invalid UTF-8 is invalid_input');
check(str_contains((string) $e?->getMessage(), 'UTF-8'), 'the message says UTF-8');
check($e?->getCode() === 1, 'getCode() is VC_RESULT_INVALID_INPUT');

// The configuration.
$config = $sim->config('ihuyi');
unset($config['api_key']);
$e = expectError(fn () => new Client($config));
check($e?->kind === 'invalid_config' && $e->field === 'api_key', 'a missing key is invalid_config naming it');

// The core's request rules: nothing is sent.
$e = expectError(fn () => $ihuyi->sendCode(['to' => '12345', 'code' => '4821']));
check($e?->kind === 'invalid_input' && $e->outcome === 'not_sent' && $e->field === 'to', 'a bad number is invalid_input on to');
check($sim->count('ihuyi', 'send_code') === $before, 'nothing reached the vendor');

// The vendor: its own code, verbatim.
$sim->inject(['vendor' => 'ihuyi', 'fault' => 'vendor_code', 'code' => '4030']);
$e = expectError(fn () => $ihuyi->sendCode($send));
check($e?->kind === 'recipient_blocked' && $e->outcome === 'refused', 'vendor code 4030 is recipient_blocked, refused');
check($e?->vendorCode === '4030' && $e->vendor === 'ihuyi', 'the vendor code is kept');

// The network: the vendor never answers; the call may be ringing.
$slow = $sim->config('ihuyi');
$slow['timeout_ms'] = 300;
$sim->inject(['vendor' => 'ihuyi', 'fault' => 'hang']);
$e = expectError(fn () => (new Client($slow))->sendCode($send));
check($e?->kind === 'timeout' && $e->outcome === 'unknown' && $e->retryable === false, 'a hang is a timeout with an unknown outcome');
$sim->clearFaults();

// The router: failover, then every attempt in the error.
$router = new Router([$sim->config('ihuyi'), $sim->config('huawei')]);
$sim->inject(['vendor' => 'ihuyi', 'fault' => 'vendor_code', 'code' => '4051']);
check($router->sendCode($send)['vendor'] === 'huawei', 'the router fails over from an empty account');
$sim->inject(['vendor' => 'ihuyi', 'fault' => 'vendor_code', 'code' => '4051']);
$sim->inject(['vendor' => 'huawei', 'fault' => 'vendor_code', 'code' => '1010009']);
$e = expectError(fn () => $router->sendCode($send));
check($e?->kind === 'rate_limited' && count($e->attempts) === 2, 'the router error lists both attempts');
check(($e?->attempts[0]['kind'] ?? null) === 'insufficient_balance', 'the first attempt ran out of balance');

// Callbacks.
$events = Callbacks::parse('cloud10658', ['Content-Type' => 'application/x-www-form-urlencoded'], 'taskid=t-1&mobile=13800138000&status=0');
check(count($events) === 1 && $events[0]['event'] === 'failed' && $events[0]['message_id'] === 't-1', 'a cloud10658 receipt parses');
$events = Callbacks::parse('aliyun', [], '[{"call_id":"116012354148^1","status_code":"200000","callee":"13800138000","duration":"12","out_id":"order-42"}]');
check(count($events) === 1 && $events[0]['event'] === 'delivered' && $events[0]['user_data'] === 'order-42', 'an aliyun VoiceReport parses');
$events = Callbacks::parse('aliyun', [], '[{"phone_number":"13800138000","report_time":"2017-01-01 00:00:05","success":false,"err_code":"MK:0001","err_msg":"","biz_id":"9006^0","out_id":"signup-7"}]');
check(count($events) === 1 && $events[0]['event'] === 'failed' && $events[0]['message_id'] === '9006^0' && $events[0]['state_desc'] === 'MK:0001', 'an aliyun SmsReport parses');
check(Callbacks::ack('aliyun') === ['body' => '{"code":0,"msg":"接收成功"}', 'content_type' => 'application/json; charset=utf-8'], 'aliyun is acknowledged with its JSON');
check(Callbacks::ack('tencent')['body'] === '{"result":0,"errmsg":"OK"}', 'tencent is acknowledged with its JSON');
check(Callbacks::ack('huawei')['body'] === '' && Callbacks::ack('ytx') === null, 'huawei gets an empty answer, ytx none');
check(Callbacks::ack('ihuyi') === ['body' => 'success', 'content_type' => 'text/plain; charset=utf-8'], 'ihuyi is acknowledged with success');
$events = Callbacks::parse('huawei', ['Content-Type' => 'application/x-www-form-urlencoded'], 'smsMsgId=2ea20735_11840135&status=DELIVRD&updateTime=2018-10-31T08%3A43%3A41Z&to=%2B8613800138000');
check(count($events) === 1 && $events[0]['event'] === 'delivered' && $events[0]['phone'] === '+8613800138000', 'a Huawei SMS status report parses');
$events = Callbacks::parse('ihuyi', [], 'code=2&msg=DELIVRD&mobilephone=13800138000&smsid=1474562554&report_time=2017-08-02+14%3A31%3A51');
check(count($events) === 1 && $events[0]['event'] === 'delivered' && $events[0]['at'] === '2017-08-02T06:31:51Z', 'an ihuyi SMS report parses');
// A Huawei SMS status report signed by Huawei's own signer (推送AKSK鉴权 on) in 2018.
$reportHeaders = [
    'Content-Type' => 'application/x-www-form-urlencoded',
    'X-Sdk-Date' => '20181031T084345Z',
    'X-Sdk-Content-Sha256' => 'UNSIGNED-PAYLOAD',
    'Host' => 'example.com',
    'Authorization' => 'SDK-HMAC-SHA256 Access=my_app_key, SignedHeaders=content-type;host;x-sdk-content-sha256;x-sdk-date, Signature=593793df25e880524695de3235356b246189269bd3b23ea7a3a4122d98976e85',
];
$report = 'sequence=1&total=1&updateTime=2018-10-31T08%3A43%3A41Z&source=2&smsMsgId=2ea20735-f856-4376-afbf-570bd70a46ee_11840135&status=DELIVRD';
$reportUrl = 'https://example.com/sms/report?token=s3cret';
try {
    Callbacks::verifyHuaweiReport($reportHeaders, $report, $reportUrl, 'my_app_key', 'my_app_secret', 2000000000);
    $verified = null;
} catch (VoiceCodeException $e) {
    $verified = $e->getMessage();
}
check($verified === null, "a signed Huawei SMS report verifies: $verified");
$e = expectError(fn () => Callbacks::verifyHuaweiReport($reportHeaders, $report, $reportUrl, 'my_app_key', 'my_app_secret'));
check($e?->kind === 'auth_failed', 'a Huawei SMS report from 2018 is stale under the default window');
$e = expectError(fn () => Callbacks::verifyHuaweiReport($reportHeaders, $report, 'https://example.com/sms/report?token=guess', 'my_app_key', 'my_app_secret', 2000000000));
check($e?->kind === 'auth_failed', 'a Huawei SMS report to another URL is refused');
$e = expectError(fn () => Callbacks::ack('nokia'));
check($e?->kind === 'invalid_input' && $e->field === 'vendor', 'an unknown vendor has no acknowledgement');
$e = expectError(fn () => Callbacks::parse('huawei', [], 'not json'));
check($e?->kind === 'invalid_input' && $e->field === 'body', 'a garbage push is invalid_input on body');
$url = 'https://example.test/status';
$verifier = new HuaweiPushVerifier('SimHuaweiAppSecret0000000001', $url);
$headers = $sim->signHuaweiPush($url);
$verifier->verify($headers);
check(true, 'a genuine push verifies');
$e = expectError(fn () => $verifier->verify($headers));
check($e?->kind === 'auth_failed', 'a replayed push is auth_failed');

// The verifier: two objects on one SQLite file, as two PHP requests of one site would be.
$store = tempnam(sys_get_temp_dir(), 'voicecode-php-');
$settings = ['secret' => 'php-test-verifier-secret-0123', 'store' => "sqlite:$store"];
$huawei = new Router([$sim->config('huawei')]);
$to = '+8613800138009';
$calls = $sim->count('huawei', 'send_code');
$started = (new Verifier($huawei, $settings))->start($to, ['key' => '203.0.113.7']);
check($started['status'] === 'sent' && $started['to'] === $to, 'a start calls the number');
check($sim->count('huawei', 'send_code') === $calls + 1, 'the start placed one call');
$code = $sim->lastCode($to);
check(!str_contains(json_encode($started), $code), 'the verification never holds the code');
$later = new Verifier($huawei, $settings);
$wrong = $later->check($to, $code === '000000' ? '111111' : '000000');
check($wrong->status === CheckStatus::WrongCode && $wrong->attemptsLeft === 4, 'a wrong code leaves 4 attempts');
check($later->check($to, $code)->approved(), 'the other verifier approves the right code');
check($later->check($to, $code)->status === CheckStatus::NotFound, 'a code approves once');
$e = expectError(fn () => $later->start($to));
check($e?->kind === 'rate_limited' && ($e->retryAfter ?? 0) > 0, 'a start within the cooldown is rate_limited with a wait');
check($sim->count('huawei', 'send_code') === $calls + 1, 'the refused start placed no call');
$later->start('+8613800138010', ['code' => '135790']);
$later->cancel('+8613800138010');
check($later->check('+8613800138010', '135790')->status === CheckStatus::Canceled, 'a canceled verification says so');
$later->clear('+8613800138010');
check($later->check('+8613800138010', '135790')->status === CheckStatus::NotFound, 'a cleared number has no code');
$later->start('+8613800138010', ['code' => '246802']);
check($later->check('+8613800138010', '246802')->approved(), 'a cleared number has no cooldown either');
$e = expectError(fn () => new Verifier($huawei, ['secret' => 'short']));
check($e?->kind === 'invalid_config' && $e->field === 'secret', 'a short secret is invalid_config on secret');
$e = expectError(fn () => new Verifier($huawei, $settings + ['store_url' => 'x']));
check($e?->kind === 'invalid_config' && $e->field === 'store_url', 'an unknown setting is named');
$e = expectError(fn () => $later->check($to, 'abc'));
check($e?->kind === 'invalid_input' && $e->field === 'code', 'letters are invalid_input on code');
$e = expectError(fn () => $later->start('+8613800138011', ['play_times' => 'twice']));
check($e?->kind === 'invalid_input' && $e->field === 'play_times', 'a wrongly typed option is named');
check($sim->count('huawei', 'send_code') === $calls + 3, 'refused starts placed no call');
unset($later);
unlink($store);

// One verification across SMS and voice: a text first, a call with the same code on a resend.
$sms = new Router([$sim->productConfig('tencent', 'sms')]);
$both = new Verifier([$sms, $huawei], ['secret' => 'php-test-verifier-secret-0123', 'cooldown_secs' => 0]);
$to = '+8613800138012';
$first = $both->start($to);
$code = $sim->lastCode($to);
$resent = $both->start($to);
check($first['channel'] === 'sms' && $resent['channel'] === 'voice', 'SMS first, voice on the resend');
check($sim->lastCode($to) === $code, 'the resend sends the same code');
check($resent['expires_at'] === $first['expires_at'], 'the resend keeps the code\'s expiry');
$approved = $both->check($to, $code);
check($approved->approved() && $approved->channel === 'voice', 'the approval names how the code was last sent');
check($both->start('+8613800138013', ['channel' => 'voice'])['channel'] === 'voice', 'a start may name its channel');
$e = expectError(fn () => new Verifier([$sms], ['secret' => 'php-test-verifier-secret-0123', 'workflow' => ['voice']]));
check($e?->kind === 'invalid_config' && $e->field === 'workflow', 'a workflow without its router is named');
unset($both, $sms);

unset($client, $oneaccess, $ihuyi, $router, $verifier, $huawei, $sim);
echo "php: $passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
