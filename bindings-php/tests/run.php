<?php

declare(strict_types=1);

/*
 * The PHP layer's declarations against include/voicecode.h, then the layer against the
 * simulator (the library's vc_sim_* testing facility): a send on each vendor and one error per
 * layer. Run: VOICECODE_LIB=…/libvoicecode.so php tests/run.php (the library must be built
 * with the `simulator` feature). Prints "N passed, N failed".
 */

require __DIR__ . '/../src/VoiceCode.php';
require __DIR__ . '/Header.php';

use VoiceCode\Callbacks;
use VoiceCode\Client;
use VoiceCode\HuaweiPushVerifier;
use VoiceCode\Library;
use VoiceCode\Router;
use VoiceCode\VoiceCodeException;

$passed = 0;
$failed = 0;

function check(bool $ok, string $what): void
{
    global $passed, $failed;
    if ($ok) {
        $passed++;
    } else {
        $failed++;
        $caller = debug_backtrace()[0]['line'] ?? '?';
        fwrite(STDERR, "run.php:$caller: check failed: $what\n");
    }
}

/** Runs $call and returns the VoiceCodeException it throws (or null, a failed check). */
function expectError(callable $call): ?VoiceCodeException
{
    try {
        $call();
    } catch (VoiceCodeException $e) {
        return $e;
    }
    check(false, 'expected a VoiceCodeException');
    return null;
}

/** The simulator, through the library's testing facility. */
final class Sim
{
    /** The testing facility's declarations this class uses (checked against the header below). */
    public const DECLARATIONS = <<<'C'
        typedef uint32_t vc_result;
        typedef struct vc_sim vc_sim;
        typedef struct vc_error vc_error;
        void vc_string_free(char *s);
        vc_result vc_sim_start(const char *options_json, vc_sim **sim_out, vc_error **err_out);
        void vc_sim_free(vc_sim *sim);
        const char *vc_sim_base_url(const vc_sim *sim);
        vc_result vc_sim_config_json(const vc_sim *sim, const char *vendor, char **config_json_out, vc_error **err_out);
        vc_result vc_sim_inject_json(const vc_sim *sim, const char *fault_json, vc_error **err_out);
        vc_result vc_sim_clear_faults(const vc_sim *sim, vc_error **err_out);
        vc_result vc_sim_count(const vc_sim *sim, const char *vendor, const char *operation, size_t *count_out, vc_error **err_out);
        vc_result vc_sim_sign_huawei_push(const char *url, char **headers_json_out, vc_error **err_out);
        C;

    private FFI $ffi;
    private FFI\CData $sim;

    public function __construct()
    {
        $this->ffi = FFI::cdef(self::DECLARATIONS, getenv('VOICECODE_LIB'));
        $this->sim = $this->ffi->new('vc_sim *');
        $this->require($this->ffi->vc_sim_start(null, FFI::addr($this->sim), null));
    }

    public function __destruct()
    {
        $this->ffi->vc_sim_free($this->sim);
    }

    private function require(int $result): void
    {
        if ($result !== 0) {
            throw new RuntimeException("simulator call failed with $result");
        }
    }

    private function text(callable $call): string
    {
        $out = $this->ffi->new('char *');
        $this->require($call(FFI::addr($out)));
        $text = FFI::string($out);
        $this->ffi->vc_string_free($out);
        return $text;
    }

    public function baseUrl(): string
    {
        return $this->ffi->vc_sim_base_url($this->sim);
    }

    /** @return array<string, mixed> */
    public function config(string $vendor): array
    {
        $json = $this->text(fn ($out) => $this->ffi->vc_sim_config_json($this->sim, $vendor, $out, null));
        return json_decode($json, true, 512, JSON_THROW_ON_ERROR);
    }

    /** @param array<string, mixed> $fault */
    public function inject(array $fault): void
    {
        $this->require($this->ffi->vc_sim_inject_json($this->sim, json_encode($fault), null));
    }

    public function clearFaults(): void
    {
        $this->require($this->ffi->vc_sim_clear_faults($this->sim, null));
    }

    public function count(string $vendor, string $operation): int
    {
        $count = $this->ffi->new('size_t');
        $this->require($this->ffi->vc_sim_count($this->sim, $vendor, $operation, FFI::addr($count), null));
        return $count->cdata;
    }

    /** @return array<string, string> */
    public function signHuaweiPush(string $url): array
    {
        $json = $this->text(fn ($out) => $this->ffi->vc_sim_sign_huawei_push($url, $out, null));
        return json_decode($json, true, 512, JSON_THROW_ON_ERROR);
    }
}

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
    'vc_result_name',
    'vc_outcome_name',
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
$e = expectError(fn () => Callbacks::parse('huawei', [], 'not json'));
check($e?->kind === 'invalid_input' && $e->field === 'body', 'a garbage push is invalid_input on body');
$url = 'https://example.test/status';
$verifier = new HuaweiPushVerifier('SimHuaweiAppSecret0000000001', $url);
$headers = $sim->signHuaweiPush($url);
$verifier->verify($headers);
check(true, 'a genuine push verifies');
$e = expectError(fn () => $verifier->verify($headers));
check($e?->kind === 'auth_failed', 'a replayed push is auth_failed');

unset($client, $oneaccess, $ihuyi, $router, $verifier, $sim);
echo "php: $passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
