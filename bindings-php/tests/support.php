<?php

declare(strict_types=1);

/*
 * What the PHP tests share: counted checks, and the simulator through the library's vc_sim_*
 * testing facility (the library must be built with the `simulator` feature).
 */

require_once __DIR__ . '/../src/VoiceCode.php';

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
        vc_result vc_sim_product_config_json(const vc_sim *sim, const char *vendor, const char *product, char **config_json_out, vc_error **err_out);
        vc_result vc_sim_inject_json(const vc_sim *sim, const char *fault_json, vc_error **err_out);
        vc_result vc_sim_clear_faults(const vc_sim *sim, vc_error **err_out);
        vc_result vc_sim_count(const vc_sim *sim, const char *vendor, const char *operation, size_t *count_out, vc_error **err_out);
        vc_result vc_sim_last_code(const vc_sim *sim, const char *to, char **code_out, vc_error **err_out);
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

    /**
     * The config of the vendor's 'voice' or 'sms' product.
     *
     * @return array<string, mixed>
     */
    public function productConfig(string $vendor, string $product): array
    {
        $json = $this->text(fn ($out) => $this->ffi->vc_sim_product_config_json($this->sim, $vendor, $product, $out, null));
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

    /** The code the simulated phone `$to` heard last. */
    public function lastCode(string $to): string
    {
        return $this->text(fn ($out) => $this->ffi->vc_sim_last_code($this->sim, $to, $out, null));
    }

    /** @return array<string, string> */
    public function signHuaweiPush(string $url): array
    {
        $json = $this->text(fn ($out) => $this->ffi->vc_sim_sign_huawei_push($url, $out, null));
        return json_decode($json, true, 512, JSON_THROW_ON_ERROR);
    }
}
