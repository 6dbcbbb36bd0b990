<?php
// The same voice-code sends written the way the vendors' PHP demos do it: curl (one handle,
// reused, so the connection is kept alive) with hash_hmac / md5 signing. Huawei callVerify:
// X-AKSK with PasswordDigest = Base64(HMAC-SHA256(appSecret, Nonce + Created)); ihuyi Submit:
// the dynamic password md5(account . APIKEY . mobile . content . time). The simulator checks both.
//
//   php curl_baseline.php SIM_URL RESULTS SECONDS CONFIG_DIR
//
// Run alone, it times the baseline by itself (bench/profile.sh profiles it so); bench/run.sh
// times it inside bench/layers/php_layer.php, which includes it, beside the PHP layer.

declare(strict_types=1);

const CALLEE = '+8613800138000';
const CODE = '4821';

function post(CurlHandle $curl, string $url, array $headers, string $body): array
{
    curl_setopt_array($curl, [
        CURLOPT_URL => $url,
        CURLOPT_POST => true,
        CURLOPT_POSTFIELDS => $body,
        CURLOPT_HTTPHEADER => $headers,
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_TIMEOUT => 10,
    ]);
    $answer = curl_exec($curl);
    if ($answer === false) {
        throw new RuntimeException(curl_error($curl));
    }
    return json_decode($answer, true, 512, JSON_THROW_ON_ERROR);
}

function sendHuawei(CurlHandle $curl, array $cfg): void
{
    $nonce = bin2hex(random_bytes(16));
    $created = gmdate('Y-m-d\TH:i:s\Z');
    $digest = base64_encode(hash_hmac('sha256', $nonce . $created, $cfg['app_secret'], true));
    $headers = [
        'Content-Type: application/json;charset=UTF-8',
        'Authorization: AKSK realm="SDP",profile="UsernameToken",type="Appkey"',
        "X-AKSK: UsernameToken Username=\"{$cfg['app_key']}\",PasswordDigest=\"$digest\",Nonce=\"$nonce\",Created=\"$created\"",
    ];
    $body = json_encode([
        'displayNbr' => $cfg['display_number'],
        'calleeNbr' => CALLEE,
        'languageType' => 2,
        'preTone' => $cfg['pre_tone'],
        'verifyCode' => CODE,
    ], JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES);
    $answer = post($curl, $cfg['base_url'] . '/rest/httpsessions/callVerify/v1.0', $headers, $body);
    if (($answer['resultcode'] ?? null) !== '0') {
        throw new RuntimeException('huawei refused the baseline: ' . json_encode($answer));
    }
}

function sendIhuyi(CurlHandle $curl, array $cfg): void
{
    $mobile = substr(CALLEE, 3);
    $time = (string) time();
    $form = http_build_query([
        'account' => $cfg['account'],
        'password' => md5($cfg['account'] . $cfg['api_key'] . $mobile . CODE . $time),
        'mobile' => $mobile,
        'content' => CODE,
        'time' => $time,
        'format' => 'json',
    ]);
    $headers = ['Content-Type: application/x-www-form-urlencoded'];
    $answer = post($curl, $cfg['base_url'] . '/webservice/voice.php?method=Submit', $headers, $form);
    if (($answer['code'] ?? null) !== 2) {
        throw new RuntimeException('ihuyi refused the baseline: ' . json_encode($answer));
    }
}

/** The baseline's send for each vendor the loopback figures use. */
const SENDS = ['huawei' => 'sendHuawei', 'ihuyi' => 'sendIhuyi'];

/** Calls per second of `$send` over about `$seconds`, after 20 calls of warm-up. */
function rate(callable $send, float $seconds): float
{
    for ($i = 0; $i < 20; $i++) {
        $send();
    }
    $calls = 0;
    $started = hrtime(true);
    while (hrtime(true) - $started < $seconds * 1e9) {
        $send();
        $calls++;
    }
    return $calls / ((hrtime(true) - $started) / 1e9);
}

/** Appends one loopback figure to the results file (and prints it). */
function record(string $results, string $vendor, string $layer, float $perSecond): void
{
    $entry = json_encode(['part' => 'loopback', 'vendor' => $vendor, 'layer' => $layer, 'per_s' => $perSecond]);
    echo $entry, "\n";
    file_put_contents($results, $entry . "\n", FILE_APPEND);
}

if (get_included_files()[0] === __FILE__) {
    [, , $results, $seconds, $configDir] = $argv;
    $curl = curl_init();
    foreach (SENDS as $vendor => $send) {
        $cfg = json_decode(file_get_contents("$configDir/$vendor.json"), true, 512, JSON_THROW_ON_ERROR);
        record($results, $vendor, 'php-curl', rate(fn () => $send($curl, $cfg), (float) $seconds));
    }
}
