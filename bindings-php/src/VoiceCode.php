<?php

declare(strict_types=1);

/*
 * voicecode for PHP: a thin layer over libvoicecode (the C ABI, include/voicecode.h) through
 * PHP's FFI extension. Requests and results are PHP arrays in the core's JSON schema; every
 * rule, vendor and error code lives in the Rust core.
 */

namespace VoiceCode;

use FFI;

/**
 * The loaded library. `VOICECODE_LIB` names the shared library to load (a path, or a name the
 * dynamic loader finds); else the release package's library for this machine,
 * lib/<arch>-linux-<gnu|musl>/libvoicecode.so, when the package bundles one; else
 * `libvoicecode.so` from the dynamic loader's path.
 */
final class Library
{
    /** The declarations of include/voicecode.h that this layer uses (tests/run.php holds them to it). */
    public const DECLARATIONS = <<<'C'
        typedef uint32_t vc_result;
        typedef uint32_t vc_outcome;
        typedef struct vc_client vc_client;
        typedef struct vc_router vc_router;
        typedef struct vc_error vc_error;
        typedef struct vc_huawei_verifier vc_huawei_verifier;
        typedef struct vc_verifier vc_verifier;
        const char *vc_version(void);
        void vc_string_free(char *s);
        const char *vc_error_json(const vc_error *err);
        void vc_error_free(vc_error *err);
        vc_result vc_client_new(const char *config_json, vc_client **client_out, vc_error **err_out);
        void vc_client_free(vc_client *client);
        const char *vc_client_vendor(const vc_client *client);
        vc_result vc_client_send(const vc_client *client, const char *request_json, char **receipt_json_out, vc_error **err_out);
        vc_result vc_client_balance(const vc_client *client, char **balance_json_out, vc_error **err_out);
        vc_result vc_client_captcha(const vc_client *client, char **captcha_json_out, vc_error **err_out);
        vc_result vc_client_verify_captcha(const vc_client *client, const char *request_json, char **captcha_token_out, vc_error **err_out);
        vc_result vc_client_send_sms_code(const vc_client *client, const char *request_json, vc_error **err_out);
        vc_result vc_router_new(const char *configs_json, vc_router **router_out, vc_error **err_out);
        vc_result vc_router_send(const vc_router *router, const char *request_json, char **receipt_json_out, vc_error **err_out);
        void vc_router_free(vc_router *router);
        vc_result vc_callback_parse(const char *vendor, const char *headers_json, const uint8_t *body, size_t body_len, char **events_json_out, vc_error **err_out);
        vc_result vc_push_ack(const char *vendor, char **body_out, char **content_type_out, vc_error **err_out);
        vc_result vc_huawei_verifier_new(const char *app_secret, const char *url, uint32_t window_seconds, vc_huawei_verifier **verifier_out, vc_error **err_out);
        vc_result vc_callback_verify_huawei(const vc_huawei_verifier *verifier, const char *headers_json, vc_error **err_out);
        vc_result vc_callback_verify_huawei_report(const char *url, const char *app_key, const char *app_secret, const char *headers_json, const uint8_t *body, size_t body_len, uint32_t window_seconds, vc_error **err_out);
        void vc_huawei_verifier_free(vc_huawei_verifier *verifier);
        vc_result vc_verifier_new(const vc_router *router, const char *config_json, vc_verifier **verifier_out, vc_error **err_out);
        vc_result vc_verifier_new_routers(const vc_router *const *routers, size_t routers_len, const char *config_json, vc_verifier **verifier_out, vc_error **err_out);
        vc_result vc_verifier_start(const vc_verifier *verifier, const char *to, const char *options_json, char **verification_json_out, vc_error **err_out);
        vc_result vc_verifier_check_json(const vc_verifier *verifier, const char *to, const char *code, char **check_json_out, vc_error **err_out);
        vc_result vc_verifier_cancel(const vc_verifier *verifier, const char *to, vc_error **err_out);
        vc_result vc_verifier_clear(const vc_verifier *verifier, const char *to, vc_error **err_out);
        void vc_verifier_free(vc_verifier *verifier);
        C;

    private static ?FFI $ffi = null;

    public static function ffi(): FFI
    {
        if (self::$ffi === null) {
            $path = getenv('VOICECODE_LIB');
            $path = $path !== false && $path !== '' ? $path : (self::bundled() ?? 'libvoicecode.so');
            self::$ffi = FFI::cdef(self::DECLARATIONS, $path);
        }
        return self::$ffi;
    }

    /**
     * The bundled library built for this machine's architecture (php_uname's x86_64, aarch64)
     * and C library, or null. The C library is the one this PHP runs on: musl's loader among
     * its mappings, else glibc (a glibc system may have musl installed beside it).
     */
    public static function bundled(): ?string
    {
        $maps = @file_get_contents('/proc/self/maps');
        $libc = $maps !== false && str_contains($maps, '/ld-musl-') ? 'musl' : 'gnu';
        $path = dirname(__DIR__) . '/lib/' . php_uname('m') . "-linux-$libc/libvoicecode.so";
        return is_file($path) ? $path : null;
    }

    /** The version of the loaded library, e.g. "0.1.0" (FFI returns `const char *` as strings). */
    public static function version(): string
    {
        return self::ffi()->vc_version();
    }

    /** @internal Encodes a request or config as the JSON the library reads. */
    public static function json(mixed $value): string
    {
        return is_string($value)
            ? $value
            : json_encode($value, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
    }

    /**
     * @internal Runs one library call with a fresh `char *` out-parameter (or none) and an
     * error out-parameter; returns the string written, or throws the library's error.
     */
    public static function call(callable $call, bool $hasOutput = true): ?string
    {
        $ffi = self::ffi();
        $err = $ffi->new('vc_error *');
        if ($hasOutput) {
            $out = $ffi->new('char *');
            $result = $call(FFI::addr($out), FFI::addr($err));
        } else {
            $result = $call(FFI::addr($err));
        }
        if ($result !== 0) {
            throw VoiceCodeException::take($err, $result);
        }
        if (!$hasOutput) {
            return null;
        }
        try {
            return FFI::string($out);
        } finally {
            $ffi->vc_string_free($out);
        }
    }

    /**
     * @internal Runs a constructor call writing a new `$type *` object and an error through
     * out-parameters; returns the object, or throws the library's error.
     */
    public static function create(string $type, callable $call): FFI\CData
    {
        $ffi = self::ffi();
        $handle = $ffi->new("$type *");
        $err = $ffi->new('vc_error *');
        $result = $call(FFI::addr($handle), FFI::addr($err));
        if ($result !== 0) {
            throw VoiceCodeException::take($err, $result);
        }
        return $handle;
    }

    /** @internal A call whose output is JSON: the decoded array. */
    public static function callJson(callable $call): array
    {
        return json_decode(self::call($call), true, 512, JSON_THROW_ON_ERROR);
    }
}

/**
 * A failed voicecode call. `kind` is the core's error kind (`invalid_input`, `auth_failed`,
 * `rate_limited`, `timeout`, …), `outcome` says whether the request may have reached the
 * vendor (`not_sent`, `refused`, `unknown`: never resend blindly after `unknown`), and
 * `vendorCode` is the vendor's own code, verbatim. `getCode()` is the C API's `vc_result`.
 */
final class VoiceCodeException extends \RuntimeException
{
    /**
     * @param list<array<string, mixed>> $attempts every channel a router tried or skipped
     */
    public function __construct(
        string $message,
        int $code,
        public readonly string $kind,
        public readonly string $outcome,
        public readonly ?string $vendorCode = null,
        public readonly ?string $vendorMessage = null,
        public readonly ?string $vendor = null,
        public readonly ?string $field = null,
        public readonly ?int $httpStatus = null,
        public readonly bool $retryable = false,
        public readonly array $attempts = [],
        /** Whole seconds to wait (the verifier's limits and quiet hours), or null. */
        public readonly ?int $retryAfter = null,
    ) {
        parent::__construct($message, $code);
    }

    /** @internal Builds the exception from a `vc_error *` (the core's error JSON) and frees it. */
    public static function take(FFI\CData $err, int $result): self
    {
        $ffi = Library::ffi();
        if (FFI::isNull($err)) {
            return new self("voicecode call failed with code $result", $result, 'internal', 'unknown');
        }
        try {
            $e = json_decode($ffi->vc_error_json($err), true, 512, JSON_THROW_ON_ERROR);
        } finally {
            $ffi->vc_error_free($err);
        }
        return new self(
            $e['message'],
            $result,
            $e['kind'],
            $e['outcome'],
            $e['vendor_code'],
            $e['vendor_message'],
            $e['vendor'],
            $e['field'],
            $e['http_status'],
            $e['retryable'],
            $e['attempts'],
            $e['retry_after'] ?? null,
        );
    }
}

/**
 * A client for one vendor channel. Configuration and requests are arrays in the core's schema,
 * e.g. `['vendor' => 'ihuyi', 'account' => '…', 'api_key' => '…']` and
 * `['to' => '+8613800138000', 'code' => '4821']`. Calls block until the vendor answers.
 */
final class Client
{
    private FFI\CData $handle;

    /** @param array<string, mixed>|string $config a config array or its JSON text */
    public function __construct(array|string $config)
    {
        $json = Library::json($config);
        $this->handle = Library::create('vc_client', fn ($out, $err) => Library::ffi()->vc_client_new($json, $out, $err));
    }

    public function __destruct()
    {
        Library::ffi()->vc_client_free($this->handle);
    }

    /** `ytx`, `huawei`, `ihuyi`, `cloud10658`, `oneaccess`, `aliyun` or `tencent`. */
    public function vendor(): string
    {
        return Library::ffi()->vc_client_vendor($this->handle);
    }

    /**
     * Sends a voice verification code; returns the receipt
     * (`vendor`, `message_id`, `vendor_code`, `vendor_message`, …).
     *
     * @param array<string, mixed>|string $request
     * @return array<string, mixed>
     * @throws VoiceCodeException
     */
    public function sendCode(array|string $request): array
    {
        $json = Library::json($request);
        return Library::callJson(fn ($out, $err) => Library::ffi()->vc_client_send($this->handle, $json, $out, $err));
    }

    /**
     * The account balance: `vendor`, `amount` (a decimal string), `unit` (`yuan` or `units`).
     *
     * @return array<string, mixed>
     * @throws VoiceCodeException
     */
    public function balance(): array
    {
        return Library::callJson(fn ($out, $err) => Library::ffi()->vc_client_balance($this->handle, $out, $err));
    }

    /**
     * OneAccess: a new slider captcha (`token`, `original_image_base64`, `jigsaw_image_base64`).
     *
     * @return array<string, mixed>
     * @throws VoiceCodeException
     */
    public function captcha(): array
    {
        return Library::callJson(fn ($out, $err) => Library::ffi()->vc_client_captcha($this->handle, $out, $err));
    }

    /**
     * OneAccess: checks the slider position (`token`, `x`, `y`, `mobile`); returns the captcha
     * token for one SMS.
     *
     * @param array<string, mixed>|string $request
     * @throws VoiceCodeException
     */
    public function verifyCaptcha(array|string $request): string
    {
        $json = Library::json($request);
        return Library::call(fn ($out, $err) => Library::ffi()->vc_client_verify_captcha($this->handle, $json, $out, $err));
    }

    /**
     * OneAccess: sends an SMS code (`mobile`, `purpose`, `captcha_token`).
     *
     * @param array<string, mixed>|string $request
     * @throws VoiceCodeException
     */
    public function sendSmsCode(array|string $request): void
    {
        $json = Library::json($request);
        Library::call(fn ($err) => Library::ffi()->vc_client_send_sms_code($this->handle, $json, $err), false);
    }
}

/** Failover across channels, in order of preference; never rings a phone twice. */
final class Router
{
    private FFI\CData $handle;

    /** @param list<array<string, mixed>>|string $configs channel configs, or their JSON array */
    public function __construct(array|string $configs)
    {
        $json = Library::json($configs);
        $this->handle = Library::create('vc_router', fn ($out, $err) => Library::ffi()->vc_router_new($json, $out, $err));
    }

    public function __destruct()
    {
        Library::ffi()->vc_router_free($this->handle);
    }

    /** @internal The `vc_router *` a Verifier is built over. */
    public function handle(): FFI\CData
    {
        return $this->handle;
    }

    /**
     * Sends through the first channel that accepts; on failure the exception's `attempts`
     * lists every channel.
     *
     * @param array<string, mixed>|string $request
     * @return array<string, mixed>
     * @throws VoiceCodeException
     */
    public function sendCode(array|string $request): array
    {
        $json = Library::json($request);
        return Library::callJson(fn ($out, $err) => Library::ffi()->vc_router_send($this->handle, $json, $out, $err));
    }
}

/** Call-status pushes: parsing, and Huawei push authentication. */
final class Callbacks
{
    /**
     * Parses a push (`huawei` status/fee push or SMS status report, `ihuyi` SMS report,
     * `cloud10658` receipt, `aliyun` VoiceReport or SmsReport, `tencent` callback) into events.
     *
     * @param array<string, string> $headers the request's headers
     * @return list<array<string, mixed>>
     * @throws VoiceCodeException
     */
    public static function parse(string $vendor, array $headers, string $body): array
    {
        $headersJson = Library::json((object) $headers);
        [$buffer, $length] = self::bytes($body);
        return Library::callJson(
            fn ($out, $err) => Library::ffi()->vc_callback_parse($vendor, $headersJson, $buffer, $length, $out, $err)
        );
    }

    /**
     * Checks a Huawei SMS status report pushed to `$url` (the `status_url` as configured) with
     * 推送AKSK鉴权 on: its SDK-HMAC-SHA256 signature under the SMS application's key and secret,
     * and `X-Sdk-Date` within `$windowSeconds` of now (0: the default 900). Throws
     * `VoiceCodeException` with kind `auth_failed` when it is unsigned, forged or stale (answer
     * HTTP 401). Reports carry no nonce: de-duplicate their events.
     *
     * @param array<string, string> $headers the request's headers
     * @throws VoiceCodeException
     */
    public static function verifyHuaweiReport(
        array $headers,
        string $body,
        string $url,
        string $appKey,
        string $appSecret,
        int $windowSeconds = 0,
    ): void {
        $headersJson = Library::json((object) $headers);
        [$buffer, $length] = self::bytes($body);
        Library::call(
            fn ($err) => Library::ffi()->vc_callback_verify_huawei_report(
                $url,
                $appKey,
                $appSecret,
                $headersJson,
                $buffer,
                $length,
                $windowSeconds,
                $err
            ),
            false
        );
    }

    /**
     * A request body as the C ABI takes it: a byte buffer (null when empty) and its length.
     *
     * @return array{0: ?FFI\CData, 1: int}
     */
    private static function bytes(string $body): array
    {
        $length = strlen($body);
        if ($length === 0) {
            return [null, 0];
        }
        $buffer = Library::ffi()->new("uint8_t[$length]");
        FFI::memcpy($buffer, $body, $length);
        return [$buffer, $length];
    }

    /**
     * How to acknowledge a push you took from `$vendor`: answer HTTP 200 with `body` and a
     * `Content-Type` of `content_type` (Alibaba Cloud and Tencent read the body and push again
     * otherwise; Huawei and cloud10658 get an empty one). Null for a vendor that sends none.
     *
     * @return array{body: string, content_type: string}|null
     * @throws VoiceCodeException
     */
    public static function ack(string $vendor): ?array
    {
        $ffi = Library::ffi();
        $body = $ffi->new('char *');
        $type = $ffi->new('char *');
        $err = $ffi->new('vc_error *');
        $result = $ffi->vc_push_ack($vendor, FFI::addr($body), FFI::addr($type), FFI::addr($err));
        if ($result !== 0) {
            throw VoiceCodeException::take($err, $result);
        }
        if (FFI::isNull($body)) {
            return null;
        }
        try {
            return ['body' => FFI::string($body), 'content_type' => FFI::string($type)];
        } finally {
            $ffi->vc_string_free($body);
            $ffi->vc_string_free($type);
        }
    }
}

/** Authenticates Huawei pushes to one URL (digest, time window, nonce replay). */
final class HuaweiPushVerifier
{
    private FFI\CData $handle;

    public function __construct(string $appSecret, string $url, int $windowSeconds = 0)
    {
        $this->handle = Library::create(
            'vc_huawei_verifier',
            fn ($out, $err) => Library::ffi()->vc_huawei_verifier_new($appSecret, $url, $windowSeconds, $out, $err)
        );
    }

    public function __destruct()
    {
        Library::ffi()->vc_huawei_verifier_free($this->handle);
    }

    /**
     * Returns when the push is genuine and new; throws (`auth_failed`) otherwise: answer 401.
     *
     * @param array<string, string> $headers
     * @throws VoiceCodeException
     */
    public function verify(array $headers): void
    {
        $json = Library::json((object) $headers);
        Library::call(fn ($err) => Library::ffi()->vc_callback_verify_huawei($this->handle, $json, $err), false);
    }
}

/** What `Verifier::check` answered; every case is distinct, so "expired" is not "never started". */
enum CheckStatus: string
{
    /** The code is right; the verification is used up (a second check finds nothing). */
    case Approved = 'approved';
    /** The code is wrong; `Check::$attemptsLeft` more may be tried. */
    case WrongCode = 'wrong_code';
    /** The code's time to live has passed; start again. */
    case Expired = 'expired';
    /** Too many wrong codes: locked, even for the right code. */
    case TooManyAttempts = 'too_many_attempts';
    /** No verification is pending for this number (never started, approved, or given back). */
    case NotFound = 'not_found';
    /** The verification was canceled. */
    case Canceled = 'canceled';
}

/** The answer of one `Verifier::check`. */
final class Check
{
    public function __construct(
        public readonly CheckStatus $status,
        /** Checks left; non-zero only for `CheckStatus::WrongCode`. */
        public readonly int $attemptsLeft = 0,
        /** After an approval: how the approved code was last sent, `sms` or `voice`. */
        public readonly ?string $channel = null,
    ) {
    }

    public function approved(): bool
    {
        return $this->status === CheckStatus::Approved;
    }
}

/**
 * The verification lifecycle over a Router, or one Router per channel (SMS and voice): `start`
 * makes a code, keeps only its keyed hash (and, for a resend, its seal) in the store and sends
 * it; `check` compares what the user typed. Settings are an array in the core's schema:
 * `['secret' => '…at least 16 bytes…']` plus optional `store` (`memory`, `sqlite:PATH` — what a
 * PHP site with one server wants, since each request is its own process — or
 * `redis://host:port/db`), `code_length`, `ttl_secs`, `max_attempts`, `cooldown_secs`,
 * `number_hourly_cap`, `number_daily_cap`, `key_hourly_cap`, `key_daily_cap`, `quiet_hours` and
 * `workflow` (`['sms', 'voice']`: a code goes by SMS first and, started again within its
 * lifetime, by voice, the same code).
 */
final class Verifier
{
    private FFI\CData $handle;

    /**
     * @param Router|list<Router> $routers one router, or one per channel
     * @param array<string, mixed>|string $config the verifier's settings, or their JSON text
     * @throws VoiceCodeException `invalid_config` naming the key, `store_unavailable`
     */
    public function __construct(Router|array $routers, array|string $config)
    {
        $json = Library::json($config);
        if ($routers instanceof Router) {
            $this->handle = Library::create(
                'vc_verifier',
                fn ($out, $err) => Library::ffi()->vc_verifier_new($routers->handle(), $json, $out, $err)
            );
            return;
        }
        $ffi = Library::ffi();
        $count = count($routers);
        $handles = $ffi->new('const vc_router *[' . max($count, 1) . ']');
        foreach (array_values($routers) as $i => $router) {
            if (!$router instanceof Router) {
                throw new \TypeError("routers[$i] must be a VoiceCode\\Router");
            }
            $handles[$i] = $router->handle();
        }
        $this->handle = Library::create(
            'vc_verifier',
            fn ($out, $err) => $ffi->vc_verifier_new_routers($handles, $count, $json, $out, $err)
        );
    }

    public function __destruct()
    {
        Library::ffi()->vc_verifier_free($this->handle);
    }

    /**
     * Sends `$to` a new code, or the live one again by the workflow's next channel. Options:
     * `code` (a code of your own), `key` (the client's IP or account, for the per-key caps),
     * `channel` (`sms` or `voice`) and the send options (`play_times`, …). Returns
     * `['to', 'channel', 'expires_at', 'max_attempts', 'unverified_starts', 'status']` with
     * `status`
     * `sent` (and `receipt`) or `may_have_been_sent` (and `error`: the phone may ring, nothing
     * was resent). It never holds the code.
     *
     * @param array<string, mixed> $options
     * @return array<string, mixed>
     * @throws VoiceCodeException `rate_limited`/`quiet_hours` with `retryAfter`, `invalid_input`
     *         naming the field, or the send's error when no call was placed
     */
    public function start(string $to, array $options = []): array
    {
        $json = $options === [] ? null : Library::json((object) $options);
        return Library::callJson(
            fn ($out, $err) => Library::ffi()->vc_verifier_start($this->handle, $to, $json, $out, $err)
        );
    }

    /**
     * Checks the code the user typed.
     *
     * @throws VoiceCodeException `invalid_input` for a code no channel could have sent
     */
    public function check(string $to, string $code): Check
    {
        $check = Library::callJson(
            fn ($out, $err) => Library::ffi()->vc_verifier_check_json($this->handle, $to, $code, $out, $err)
        );
        return new Check(
            CheckStatus::from($check['status']),
            $check['attempts_left'] ?? 0,
            $check['channel'] ?? null,
        );
    }

    /**
     * Cancels the number's pending verification: later checks answer `canceled`.
     *
     * @throws VoiceCodeException
     */
    public function cancel(string $to): void
    {
        Library::call(fn ($err) => Library::ffi()->vc_verifier_cancel($this->handle, $to, $err), false);
    }

    /**
     * Forgets everything stored about the number (codes, cooldown, caps), even a record that
     * cannot be read, which `start`, `check` and `cancel` refuse with `store_unavailable`. An
     * operator's tool.
     *
     * @throws VoiceCodeException
     */
    public function clear(string $to): void
    {
        Library::call(fn ($err) => Library::ffi()->vc_verifier_clear($this->handle, $to, $err), false);
    }
}
