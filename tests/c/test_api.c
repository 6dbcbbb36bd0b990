/*
 * The C ABI against the simulator: a send on each vendor, each error kind, NULL and garbage
 * arguments, callbacks, the router, and the panic boundary.
 */
#define _POSIX_C_SOURCE 200809L /* sigaction */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char SEND[] = "{\"to\":\"+8613800138000\",\"code\":\"4821\"}";

/* Sends SEND on `client` and checks that it fails with `kind` and `outcome` (and the vendor
 * code when not NULL). */
static void check_send_fails(const vc_client *client, vc_result kind, vc_outcome outcome,
                             const char *vendor_code) {
    char *receipt = NULL;
    vc_error *err = NULL;
    char kind_json[64];
    CHECK_RESULT(vc_client_send(client, SEND, &receipt, &err), kind, err);
    CHECK(receipt == NULL);
    REQUIRE(err != NULL);
    CHECK(vc_error_kind(err) == kind);
    CHECK_STR(vc_outcome_name(vc_error_outcome(err)), vc_outcome_name(outcome));
    if (vendor_code != NULL) {
        CHECK_STR(vc_error_vendor_code(err), vendor_code);
        CHECK(vc_error_vendor_message(err) != NULL);
    }
    CHECK(vc_error_message(err) != NULL && strlen(vc_error_message(err)) > 0);
    snprintf(kind_json, sizeof kind_json, "\"kind\":\"%s\"", vc_result_name(kind));
    CHECK_CONTAINS(vc_error_json(err), kind_json);
    /* Never retried blindly after an unknown outcome. */
    if (outcome == VC_OUTCOME_UNKNOWN) {
        CHECK(!vc_error_retryable(err));
    }
    vc_error_free(err);
}

/* Injects a fault, then expects the next send on `client` to fail as described. */
static void check_fault(const vc_sim *sim, const vc_client *client, const char *fault,
                        vc_result kind, vc_outcome outcome, const char *vendor_code) {
    vc_error *err = NULL;
    CHECK_RESULT(vc_sim_inject_json(sim, fault, &err), VC_RESULT_OK, err);
    check_send_fails(client, kind, outcome, vendor_code);
    REQUIRE(vc_sim_clear_faults(sim, NULL) == VC_RESULT_OK);
}

/* A client from a configuration template with one "%s" for the simulator's base URL. */
static vc_client *client_from(const vc_sim *sim, const char *template) {
    char config[512];
    vc_client *client = NULL;
    vc_error *err = NULL;
    snprintf(config, sizeof config, template, vc_sim_base_url(sim));
    CHECK_RESULT(vc_client_new(config, &client, &err), VC_RESULT_OK, err);
    REQUIRE(client != NULL);
    return client;
}

/* Writes `text` as the inside of a JSON string (quotes and backslashes escaped). */
static void json_escape(const char *text, char *out, size_t size) {
    size_t n = 0;
    for (; *text != '\0' && n + 3 < size; text++) {
        if (*text == '"' || *text == '\\') {
            out[n++] = '\\';
        }
        out[n++] = *text;
    }
    REQUIRE(*text == '\0');
    out[n] = '\0';
}

static void test_version(void) {
    char expected[32];
    CHECK_STR(vc_version(), VC_VERSION);
    snprintf(expected, sizeof expected, "%d.%d.%d", VC_VERSION_MAJOR, VC_VERSION_MINOR,
             VC_VERSION_PATCH);
    CHECK_STR(vc_version(), expected);
}

static void test_result_and_outcome_names(void) {
    CHECK_STR(vc_result_name(VC_RESULT_OK), "ok");
    CHECK_STR(vc_result_name(VC_RESULT_INVALID_INPUT), "invalid_input");
    CHECK_STR(vc_result_name(VC_RESULT_INSUFFICIENT_BALANCE), "insufficient_balance");
    CHECK_STR(vc_result_name(VC_RESULT_PROTOCOL), "protocol");
    CHECK_STR(vc_result_name(VC_RESULT_QUIET_HOURS), "quiet_hours");
    CHECK_STR(vc_result_name(VC_RESULT_STORE_UNAVAILABLE), "store_unavailable");
    CHECK_STR(vc_result_name(VC_RESULT_INTERNAL), "internal");
    CHECK(vc_result_name(15) == NULL);
    CHECK(vc_result_name(0xffffffffu) == NULL);
    CHECK_STR(vc_outcome_name(VC_OUTCOME_NOT_SENT), "not_sent");
    CHECK_STR(vc_outcome_name(VC_OUTCOME_REFUSED), "refused");
    CHECK_STR(vc_outcome_name(VC_OUTCOME_UNKNOWN), "unknown");
    CHECK(vc_outcome_name(4) == NULL);
}

static void test_send_on_each_voice_vendor(const vc_sim *sim) {
    const char *vendors[] = {"ytx", "huawei", "ihuyi", "cloud10658", "aliyun", "tencent"};
    size_t i;
    for (i = 0; i < sizeof vendors / sizeof vendors[0]; i++) {
        char expected[64];
        char *receipt = NULL;
        vc_error *err = NULL;
        vc_client *client = sim_client(sim, vendors[i]);
        size_t before = sim_count(sim, vendors[i], "send_code");
        CHECK_STR(vc_client_vendor(client), vendors[i]);
        CHECK_RESULT(vc_client_send(client, SEND, &receipt, &err), VC_RESULT_OK, err);
        CHECK(err == NULL);
        snprintf(expected, sizeof expected, "\"vendor\":\"%s\"", vendors[i]);
        CHECK_CONTAINS(receipt, expected);
        CHECK_CONTAINS(receipt, "\"message_id\":\"");
        CHECK(sim_count(sim, vendors[i], "send_code") == before + 1);
        vc_string_free(receipt);
        vc_client_free(client);
    }
}

/* Each SMS product: its demo config from the simulator, a code sent as an SMS, read back. */
static void test_send_on_each_sms_product(const vc_sim *sim) {
    static const char send[] = "{\"to\":\"+8613800137777\",\"code\":\"6284\"}";
    const char *vendors[] = {"huawei", "ihuyi", "aliyun", "tencent"};
    size_t i;
    for (i = 0; i < sizeof vendors / sizeof vendors[0]; i++) {
        char *config = NULL;
        char *receipt = NULL;
        char *code = NULL;
        vc_client *client = NULL;
        vc_error *err = NULL;
        size_t before = sim_count(sim, vendors[i], "send_sms_code");
        CHECK_RESULT(vc_sim_product_config_json(sim, vendors[i], "sms", &config, &err),
                     VC_RESULT_OK, err);
        CHECK_CONTAINS(config, "\"product\":\"sms\"");
        CHECK_RESULT(vc_client_new(config, &client, &err), VC_RESULT_OK, err);
        CHECK_RESULT(vc_client_send(client, send, &receipt, &err), VC_RESULT_OK, err);
        CHECK_CONTAINS(receipt, "\"message_id\":\"");
        CHECK(sim_count(sim, vendors[i], "send_sms_code") == before + 1);
        CHECK_RESULT(vc_sim_last_code(sim, "13800137777", &code, &err), VC_RESULT_OK, err);
        CHECK_STR(code, "6284");
        vc_string_free(receipt);
        receipt = NULL;
        /* The number's own limit: a second message within the minute is refused (Huawei
         * documents no code for one). */
        if (strcmp(vendors[i], "huawei") != 0) {
            CHECK(vc_client_send(client, send, &receipt, &err) == VC_RESULT_RATE_LIMITED);
            CHECK(receipt == NULL);
            CHECK_STR(vc_outcome_name(vc_error_outcome(err)), "refused");
            vc_error_free(err);
        }
        vc_string_free(code);
        vc_string_free(config);
        vc_client_free(client);
    }
    /* A product the vendor lacks, and one that does not exist, name the argument. */
    {
        char *config = NULL;
        vc_error *err = NULL;
        CHECK(vc_sim_product_config_json(sim, "ytx", "sms", &config, &err) ==
              VC_RESULT_INVALID_INPUT);
        CHECK(config == NULL);
        CHECK_STR(vc_error_field(err), "product");
        vc_error_free(err);
        CHECK(vc_sim_product_config_json(sim, "aliyun", "fax", &config, NULL) ==
              VC_RESULT_INVALID_INPUT);
    }
}

static void test_balance(const vc_sim *sim) {
    const char *vendors[] = {"ytx", "ihuyi", "cloud10658"};
    size_t i;
    for (i = 0; i < sizeof vendors / sizeof vendors[0]; i++) {
        char *balance = NULL;
        vc_error *err = NULL;
        vc_client *client = sim_client(sim, vendors[i]);
        REQUIRE(vc_sim_set_balance(sim, vendors[i], 42, NULL) == VC_RESULT_OK);
        CHECK_RESULT(vc_client_balance(client, &balance, &err), VC_RESULT_OK, err);
        CHECK_CONTAINS(balance, "\"amount\":\"42");
        CHECK(sim_count(sim, vendors[i], "balance") >= 1);
        vc_string_free(balance);
        REQUIRE(vc_sim_set_balance(sim, vendors[i], 100, NULL) == VC_RESULT_OK);
        vc_client_free(client);
    }
}

/* The last code sent to a number, read back instead of a phone; NULL when none was accepted. */
static void test_last_code(const vc_sim *sim) {
    static const char send[] = "{\"to\":\"+8613800139999\",\"code\":\"5917\"}";
    static const char refused[] = "{\"to\":\"13800139999\",\"code\":\"1111\"}";
    char *code = (char *)"untouched";
    char *receipt = NULL;
    vc_error *err = NULL;
    vc_client *huawei = sim_client(sim, "huawei");
    vc_client *ytx = sim_client(sim, "ytx");

    CHECK_RESULT(vc_sim_last_code(sim, "13800139999", &code, &err), VC_RESULT_OK, err);
    CHECK(code == NULL);
    CHECK_RESULT(vc_client_send(huawei, send, &receipt, &err), VC_RESULT_OK, err);
    vc_string_free(receipt);
    CHECK_RESULT(vc_sim_last_code(sim, "13800139999", &code, &err), VC_RESULT_OK, err);
    CHECK_STR(code, "5917");
    vc_string_free(code);
    code = NULL;
    CHECK_RESULT(vc_sim_last_code(sim, "+8613800139999", &code, &err), VC_RESULT_OK, err);
    CHECK_STR(code, "5917");
    vc_string_free(code);
    code = NULL;

    /* A refused send records nothing. */
    REQUIRE(vc_sim_set_balance(sim, "ytx", 0, NULL) == VC_RESULT_OK);
    receipt = NULL;
    CHECK(vc_client_send(ytx, refused, &receipt, NULL) == VC_RESULT_INSUFFICIENT_BALANCE);
    CHECK(receipt == NULL);
    REQUIRE(vc_sim_set_balance(sim, "ytx", 100, NULL) == VC_RESULT_OK);
    CHECK_RESULT(vc_sim_last_code(sim, "13800139999", &code, &err), VC_RESULT_OK, err);
    CHECK_STR(code, "5917");
    vc_string_free(code);

    CHECK(vc_sim_last_code(sim, "13800139999", NULL, NULL) == VC_RESULT_INVALID_INPUT);
    CHECK(vc_sim_last_code(sim, NULL, &code, NULL) == VC_RESULT_INVALID_INPUT);
    vc_client_free(ytx);
    vc_client_free(huawei);
}

static void test_oneaccess_captcha_then_sms(const vc_sim *sim) {
    vc_client *client = sim_client(sim, "oneaccess");
    char *captcha = NULL;
    char *token = NULL;
    char request[512];
    const char *start;
    const char *end;
    char captcha_token[256];
    vc_error *err = NULL;

    CHECK_STR(vc_client_vendor(client), "oneaccess");
    CHECK_RESULT(vc_client_captcha(client, &captcha, &err), VC_RESULT_OK, err);
    CHECK_CONTAINS(captcha, "\"jigsaw_image_base64\":\"");
    start = strstr(captcha, "\"token\":\"");
    REQUIRE(start != NULL);
    start += strlen("\"token\":\"");
    end = strchr(start, '"');
    REQUIRE(end != NULL && (size_t)(end - start) < sizeof captcha_token);
    memcpy(captcha_token, start, (size_t)(end - start));
    captcha_token[end - start] = '\0';
    vc_string_free(captcha);

    /* A wrong position is refused by the vendor. */
    snprintf(request, sizeof request,
             "{\"token\":\"%s\",\"x\":10,\"y\":90,\"mobile\":\"13800138000\"}", captcha_token);
    CHECK(vc_client_verify_captcha(client, request, &token, &err) != VC_RESULT_OK);
    CHECK(token == NULL);
    CHECK(vc_error_vendor_code(err) != NULL);
    vc_error_free(err);
    err = NULL;

    /* The simulator's answer (voicecode_sim::demo::CAPTCHA_ANSWER) passes. */
    CHECK_RESULT(vc_client_captcha(client, &captcha, &err), VC_RESULT_OK, err);
    start = strstr(captcha, "\"token\":\"") + strlen("\"token\":\"");
    end = strchr(start, '"');
    memcpy(captcha_token, start, (size_t)(end - start));
    captcha_token[end - start] = '\0';
    vc_string_free(captcha);
    snprintf(request, sizeof request,
             "{\"token\":\"%s\",\"x\":237,\"y\":5,\"mobile\":\"13800138000\"}", captcha_token);
    CHECK_RESULT(vc_client_verify_captcha(client, request, &token, &err), VC_RESULT_OK, err);
    REQUIRE(token != NULL && strlen(token) > 0);

    /* The vendor's token holds JSON of its own (quotes): escape it. */
    json_escape(token, captcha_token, sizeof captcha_token);
    snprintf(request, sizeof request,
             "{\"mobile\":\"13800138000\",\"purpose\":\"login\",\"captcha_token\":\"%s\"}",
             captcha_token);
    CHECK_RESULT(vc_client_send_sms_code(client, request, &err), VC_RESULT_OK, err);
    CHECK(sim_count(sim, "oneaccess", "send_sms_code") == 1);
    vc_string_free(token);

    /* OneAccess places no voice calls: the core refuses before sending. */
    check_send_fails(client, VC_RESULT_INVALID_CONFIG, VC_OUTCOME_NOT_SENT, NULL);
    vc_client_free(client);
}

static void test_each_error_kind(const vc_sim *sim) {
    vc_client *ihuyi = sim_client(sim, "ihuyi");
    vc_client *huawei = sim_client(sim, "huawei");
    vc_client *client = NULL;
    vc_error *err = NULL;
    char *receipt = NULL;
    size_t before;

    /* invalid_input: the core's rules refuse the number; nothing reaches the vendor. */
    before = sim_count(sim, "ihuyi", "send_code");
    CHECK_RESULT(vc_client_send(ihuyi, "{\"to\":\"12345\",\"code\":\"4821\"}", &receipt, &err),
                 VC_RESULT_INVALID_INPUT, err);
    CHECK_STR(vc_error_field(err), "to");
    CHECK(vc_error_outcome(err) == VC_OUTCOME_NOT_SENT);
    CHECK(sim_count(sim, "ihuyi", "send_code") == before);
    vc_error_free(err);
    err = NULL;

    /* invalid_config: a missing key is named. */
    CHECK_RESULT(vc_client_new("{\"vendor\":\"ihuyi\",\"account\":\"VM00000001\"}", &client, &err),
                 VC_RESULT_INVALID_CONFIG, err);
    CHECK(client == NULL);
    CHECK_STR(vc_error_field(err), "api_key");
    CHECK_CONTAINS(vc_error_json(err), "\"kind\":\"invalid_config\"");
    vc_error_free(err);
    err = NULL;

    /* auth_failed: a wrong key, refused by the simulator's own check. */
    client = client_from(sim, "{\"vendor\":\"ihuyi\",\"account\":\"VM00000001\","
                              "\"api_key\":\"wrong-key\",\"base_url\":\"%s\"}");
    check_send_fails(client, VC_RESULT_AUTH_FAILED, VC_OUTCOME_REFUSED, "405");
    vc_client_free(client);

    /* insufficient_balance: the account is empty. */
    REQUIRE(vc_sim_set_balance(sim, "ihuyi", 0, NULL) == VC_RESULT_OK);
    check_send_fails(ihuyi, VC_RESULT_INSUFFICIENT_BALANCE, VC_OUTCOME_REFUSED, "4051");
    REQUIRE(vc_sim_set_balance(sim, "ihuyi", 100, NULL) == VC_RESULT_OK);

    /* Vendor codes, from the vendors' own tables. */
    check_fault(sim, ihuyi, "{\"vendor\":\"ihuyi\",\"fault\":\"vendor_code\",\"code\":\"400\"}",
                VC_RESULT_FORBIDDEN, VC_OUTCOME_REFUSED, "400");
    check_fault(sim, huawei,
                "{\"vendor\":\"huawei\",\"fault\":\"vendor_code\",\"code\":\"1010009\"}",
                VC_RESULT_RATE_LIMITED, VC_OUTCOME_REFUSED, "1010009");
    check_fault(sim, ihuyi, "{\"vendor\":\"ihuyi\",\"fault\":\"vendor_code\",\"code\":\"4030\"}",
                VC_RESULT_RECIPIENT_BLOCKED, VC_OUTCOME_REFUSED, "4030");
    check_fault(sim, ihuyi, "{\"vendor\":\"ihuyi\",\"fault\":\"vendor_code\",\"code\":\"407\"}",
                VC_RESULT_CONTENT_REJECTED, VC_OUTCOME_REFUSED, "407");
    check_fault(sim, ihuyi, "{\"vendor\":\"ihuyi\",\"fault\":\"vendor_code\",\"code\":\"0\"}",
                VC_RESULT_VENDOR_ERROR, VC_OUTCOME_REFUSED, "0");

    /* vendor_error after a refusal may be retried; the error says so. */
    REQUIRE(vc_sim_inject_json(sim,
                               "{\"vendor\":\"ihuyi\",\"fault\":\"vendor_code\",\"code\":\"0\"}",
                               NULL) == VC_RESULT_OK);
    CHECK(vc_client_send(ihuyi, SEND, &receipt, &err) == VC_RESULT_VENDOR_ERROR);
    CHECK(vc_error_retryable(err));
    CHECK_CONTAINS(vc_error_json(err), "\"retryable\":true");
    vc_error_free(err);
    err = NULL;

    /* timeout: the vendor never answers; the call may be ringing. */
    client = client_from(sim, "{\"vendor\":\"ihuyi\",\"account\":\"VM00000001\","
                              "\"api_key\":\"51a00000000000000000000000ihuyi1\","
                              "\"base_url\":\"%s\",\"timeout_ms\":300}");
    check_fault(sim, client, "{\"vendor\":\"ihuyi\",\"fault\":\"hang\"}", VC_RESULT_TIMEOUT,
                VC_OUTCOME_UNKNOWN, NULL);
    vc_client_free(client);

    /* network: the connection breaks after the request was sent ... */
    check_fault(sim, ihuyi, "{\"vendor\":\"ihuyi\",\"fault\":\"reset_before_answer\"}",
                VC_RESULT_NETWORK, VC_OUTCOME_UNKNOWN, NULL);
    /* ... or nothing listens, so nothing was sent. */
    client = NULL;
    CHECK_RESULT(vc_client_new("{\"vendor\":\"ihuyi\",\"account\":\"VM00000001\","
                               "\"api_key\":\"k\",\"base_url\":\"http://127.0.0.1:1\"}",
                               &client, &err),
                 VC_RESULT_OK, err);
    check_send_fails(client, VC_RESULT_NETWORK, VC_OUTCOME_NOT_SENT, NULL);
    vc_client_free(client);

    /* protocol: an HTML error page instead of the vendor's answer. */
    check_fault(sim, ihuyi, "{\"vendor\":\"ihuyi\",\"fault\":\"http_5xx_html\"}",
                VC_RESULT_PROTOCOL, VC_OUTCOME_UNKNOWN, NULL);
    check_fault(sim, ihuyi, "{\"vendor\":\"ihuyi\",\"fault\":\"non_utf8_body\"}",
                VC_RESULT_PROTOCOL, VC_OUTCOME_UNKNOWN, NULL);

    vc_client_free(ihuyi);
    vc_client_free(huawei);
}

static void test_panic_is_caught(void) {
    vc_error *err = NULL;
    CHECK_RESULT(vc_sim_panic(&err), VC_RESULT_INTERNAL, err);
    CHECK(vc_error_kind(err) == VC_RESULT_INTERNAL);
    CHECK(vc_error_outcome(err) == VC_OUTCOME_UNKNOWN);
    CHECK_CONTAINS(vc_error_message(err), "vc_sim_panic was called");
    CHECK_CONTAINS(vc_error_json(err), "\"kind\":\"internal\"");
    vc_error_free(err);
    CHECK(vc_sim_panic(NULL) == VC_RESULT_INTERNAL);
}

/* Expects `result` to be invalid_input naming `field`, then frees the error. */
static void check_invalid(vc_result result, vc_error *err, const char *field) {
    CHECK_RESULT(result, VC_RESULT_INVALID_INPUT, err);
    CHECK(vc_error_outcome(err) == VC_OUTCOME_NOT_SENT);
    CHECK_STR(vc_error_field(err), field);
    CHECK(vc_error_message(err) != NULL && strlen(vc_error_message(err)) > 0);
    vc_error_free(err);
}

/* Runs `call` (which writes the local `err`), then expects invalid_input naming `field`. */
#define CHECK_INVALID(call, field)                                                                 \
    do {                                                                                           \
        vc_result r_ = (call);                                                                     \
        check_invalid(r_, err, (field));                                                           \
        err = NULL;                                                                                \
    } while (0)

static void test_null_arguments(const vc_sim *sim) {
    vc_client *client = sim_client(sim, "ihuyi");
    vc_client *no_client = NULL;
    vc_router *no_router = NULL;
    vc_huawei_verifier *no_verifier = NULL;
    vc_deduplicator *no_dedup = NULL;
    char *out = NULL;
    bool first = false;
    vc_error *err = NULL;
    size_t before = sim_count(sim, "ihuyi", "send_code");

    CHECK_INVALID(vc_client_new(NULL, &no_client, &err), "config_json");
    CHECK_INVALID(vc_client_new("{}", NULL, &err), "client_out");
    CHECK_INVALID(vc_client_send(NULL, SEND, &out, &err), "client");
    CHECK_INVALID(vc_client_send(client, NULL, &out, &err), "request_json");
    /* A NULL out-parameter is refused before anything is sent: no result is ever lost. */
    CHECK_INVALID(vc_client_send(client, SEND, NULL, &err), "receipt_json_out");
    CHECK(sim_count(sim, "ihuyi", "send_code") == before);
    CHECK_INVALID(vc_client_balance(NULL, &out, &err), "client");
    CHECK_INVALID(vc_client_balance(client, NULL, &err), "balance_json_out");
    CHECK_INVALID(vc_client_captcha(client, NULL, &err), "captcha_json_out");
    CHECK_INVALID(vc_client_verify_captcha(client, NULL, &out, &err), "request_json");
    CHECK_INVALID(vc_client_send_sms_code(client, NULL, &err), "request_json");
    CHECK_INVALID(vc_router_new(NULL, &no_router, &err), "configs_json");
    CHECK_INVALID(vc_router_send(NULL, SEND, &out, &err), "router");
    CHECK_INVALID(vc_callback_parse(NULL, NULL, NULL, 0, &out, &err), "vendor");
    CHECK_INVALID(vc_callback_parse("huawei", NULL, NULL, 5, &out, &err), "body");
    CHECK_INVALID(vc_callback_parse("huawei", NULL, (const uint8_t *)"{}", 2, NULL, &err),
                  "events_json_out");
    CHECK_INVALID(vc_huawei_verifier_new(NULL, "http://x/", 0, &no_verifier, &err), "app_secret");
    CHECK_INVALID(vc_huawei_verifier_new("s", NULL, 0, &no_verifier, &err), "url");
    CHECK_INVALID(vc_callback_verify_huawei(NULL, "{}", &err), "verifier");
    CHECK_INVALID(vc_deduplicator_new(10, NULL, &err), "dedup_out");
    CHECK_INVALID(vc_deduplicator_first_time(NULL, "{}", &first, &err), "dedup");
    CHECK_INVALID(vc_sim_count(sim, "ihuyi", "send_code", NULL, &err), "count_out");
    CHECK(no_client == NULL && no_router == NULL && no_verifier == NULL && no_dedup == NULL);
    CHECK(out == NULL);

    /* err_out may be NULL: the code alone still tells what happened. */
    CHECK(vc_client_send(client, NULL, &out, NULL) == VC_RESULT_INVALID_INPUT);

    /* Accessors and free functions accept NULL. */
    CHECK(vc_error_kind(NULL) == VC_RESULT_INVALID_INPUT);
    CHECK(vc_error_outcome(NULL) == VC_OUTCOME_NONE);
    CHECK(!vc_error_retryable(NULL));
    CHECK(vc_error_message(NULL) == NULL);
    CHECK(vc_error_field(NULL) == NULL);
    CHECK(vc_error_vendor(NULL) == NULL);
    CHECK(vc_error_vendor_code(NULL) == NULL);
    CHECK(vc_error_vendor_message(NULL) == NULL);
    CHECK(vc_error_json(NULL) == NULL);
    CHECK(vc_client_vendor(NULL) == NULL);
    vc_error_free(NULL);
    vc_string_free(NULL);
    vc_client_free(NULL);
    vc_router_free(NULL);
    vc_huawei_verifier_free(NULL);
    vc_deduplicator_free(NULL);
    vc_sim_free(NULL);
    vc_client_free(client);
}

static void test_garbage_arguments(const vc_sim *sim) {
    vc_client *client = sim_client(sim, "ihuyi");
    vc_client *no_client = NULL;
    char *out = NULL;
    vc_error *err = NULL;
    size_t before = sim_count(sim, "ihuyi", "send_code");

    /* Invalid UTF-8. */
    CHECK_INVALID(vc_client_send(client, "{\"to\":\"\xff\xfe\",\"code\":\"1\"}", &out, &err),
                  "request_json");
    CHECK_RESULT(vc_client_new("{\"vendor\":\"\xc3\x28\"}", &no_client, &err),
                 VC_RESULT_INVALID_INPUT, err);
    CHECK_CONTAINS(vc_error_message(err), "UTF-8");
    vc_error_free(err);
    err = NULL;

    /* Malformed JSON. */
    CHECK_RESULT(vc_client_send(client, "{\"to\":", &out, &err), VC_RESULT_INVALID_INPUT, err);
    CHECK_STR(vc_error_field(err), "request_json");
    CHECK_CONTAINS(vc_error_message(err), "not valid JSON");
    vc_error_free(err);
    err = NULL;
    CHECK_RESULT(vc_client_new("vendor=ihuyi", &no_client, &err), VC_RESULT_INVALID_INPUT, err);
    CHECK_STR(vc_error_field(err), "config_json");
    CHECK_CONTAINS(vc_error_message(err), "not valid JSON");
    vc_error_free(err);
    err = NULL;
    CHECK_INVALID(vc_client_send(client, "", &out, &err), "request_json");

    /* Well-formed JSON of the wrong shape: the key at fault is named. */
    CHECK_INVALID(vc_client_send(client, "[1,2]", &out, &err), "request_json");
    CHECK_INVALID(vc_client_send(client, "{\"to\":\"13800138000\"}", &out, &err), "code");
    CHECK_INVALID(
        vc_client_send(client, "{\"to\":\"13800138000\",\"code\":\"4821\",\"cod\":1}", &out, &err),
        "cod");
    CHECK_INVALID(vc_client_send(client, "{\"to\":13800138000,\"code\":\"4821\"}", &out, &err),
                  "to");
    CHECK_INVALID(vc_router_new("{\"vendor\":\"ihuyi\"}", NULL, &err), "configs_json");
    CHECK_INVALID(vc_callback_parse("nokia", NULL, NULL, 0, &out, &err), "vendor");
    CHECK_INVALID(vc_callback_parse("huawei", "[1]", NULL, 0, &out, &err), "headers_json");
    CHECK_INVALID(
        vc_callback_parse("huawei", NULL, (const uint8_t *)"\x01\x02garbage", 9, &out, &err),
        "body");
    CHECK_INVALID(vc_sim_count(sim, "ihuyi", "dance", &before, &err), "operation");

    CHECK(out == NULL && no_client == NULL);
    CHECK(sim_count(sim, "ihuyi", "send_code") == before);
    vc_client_free(client);
}

static void test_router_fails_over_without_ringing_twice(const vc_sim *sim) {
    char *ihuyi = NULL;
    char *huawei = NULL;
    char *configs = NULL;
    char *receipt = NULL;
    vc_router *router = NULL;
    vc_error *err = NULL;
    size_t len;

    REQUIRE(vc_sim_config_json(sim, "ihuyi", &ihuyi, NULL) == VC_RESULT_OK);
    REQUIRE(vc_sim_config_json(sim, "huawei", &huawei, NULL) == VC_RESULT_OK);
    len = strlen(ihuyi) + strlen(huawei) + 4;
    configs = malloc(len);
    REQUIRE(configs != NULL);
    snprintf(configs, len, "[%s,%s]", ihuyi, huawei);
    CHECK_RESULT(vc_router_new(configs, &router, &err), VC_RESULT_OK, err);

    /* ihuyi is out of balance: the router moves on to huawei. */
    REQUIRE(vc_sim_set_balance(sim, "ihuyi", 0, NULL) == VC_RESULT_OK);
    CHECK_RESULT(vc_router_send(router, SEND, &receipt, &err), VC_RESULT_OK, err);
    CHECK_CONTAINS(receipt, "\"vendor\":\"huawei\"");
    vc_string_free(receipt);
    receipt = NULL;

    /* huawei hangs up mid-answer: the outcome is unknown, so no further channel is tried,
     * and the error lists every attempt. */
    REQUIRE(vc_sim_inject_json(sim, "{\"vendor\":\"huawei\",\"fault\":\"reset_before_answer\"}",
                               NULL) == VC_RESULT_OK);
    CHECK_RESULT(vc_router_send(router, SEND, &receipt, &err), VC_RESULT_NETWORK, err);
    CHECK(vc_error_outcome(err) == VC_OUTCOME_UNKNOWN);
    CHECK_CONTAINS(vc_error_json(err), "\"attempts\":[{\"vendor\":\"ihuyi\"");
    CHECK_CONTAINS(vc_error_json(err), "\"kind\":\"insufficient_balance\"");
    vc_error_free(err);
    err = NULL;
    REQUIRE(vc_sim_set_balance(sim, "ihuyi", 100, NULL) == VC_RESULT_OK);

    /* An empty list is a configuration error. */
    vc_router_free(router);
    router = NULL;
    CHECK_RESULT(vc_router_new("[]", &router, &err), VC_RESULT_INVALID_CONFIG, err);
    CHECK(router == NULL);
    vc_error_free(err);

    free(configs);
    vc_string_free(ihuyi);
    vc_string_free(huawei);
}

static void test_callbacks(void) {
    static const char huawei_push[] =
        "{\"eventType\":\"disconnect\",\"statusInfo\":{\"sessionId\":\"s-1\","
        "\"timestamp\":\"2024-01-02 03:04:05\",\"called\":\"+8613800138000\","
        "\"stateCode\":16,\"stateDesc\":\"normal\",\"userData\":\"order-9\"}}";
    static const char receipt_form[] =
        "taskid=t-7&mobile=13800138000&status=1&receivetime=2024-01-02%2011:04:05";
    static const char aliyun_report[] =
        "[{\"call_id\":\"116012354148^1\",\"status_code\":\"200002\","
        "\"status_msg\":\"busy\",\"callee\":\"13800138000\",\"duration\":\"0\"}]";
    static const char url[] = "https://example.test/voice/status";
    char *events = NULL;
    char *headers = NULL;
    vc_error *err = NULL;
    vc_huawei_verifier *verifier = NULL;
    vc_deduplicator *dedup = NULL;
    bool first = false;

    CHECK_RESULT(vc_callback_parse("huawei", "{\"Content-Type\":\"application/json\"}",
                                   (const uint8_t *)huawei_push, strlen(huawei_push), &events,
                                   &err),
                 VC_RESULT_OK, err);
    CHECK_CONTAINS(events, "\"event\":\"hangup\"");
    CHECK_CONTAINS(events, "\"message_id\":\"s-1\"");
    CHECK_CONTAINS(events, "\"user_data\":\"order-9\"");
    CHECK_CONTAINS(events, "\"at\":\"2024-01-02T03:04:05Z\"");

    /* A repeated event is recognised. */
    CHECK_RESULT(vc_deduplicator_new(16, &dedup, &err), VC_RESULT_OK, err);
    {
        /* The array holds one event: strip the brackets. */
        size_t len = strlen(events);
        events[len - 1] = '\0';
        CHECK_RESULT(vc_deduplicator_first_time(dedup, events + 1, &first, &err), VC_RESULT_OK,
                     err);
        CHECK(first);
        CHECK_RESULT(vc_deduplicator_first_time(dedup, events + 1, &first, &err), VC_RESULT_OK,
                     err);
        CHECK(!first);
    }
    vc_deduplicator_free(dedup);
    vc_string_free(events);
    events = NULL;

    CHECK_RESULT(vc_callback_parse(
                     "cloud10658", "[[\"Content-Type\",\"application/x-www-form-urlencoded\"]]",
                     (const uint8_t *)receipt_form, strlen(receipt_form), &events, &err),
                 VC_RESULT_OK, err);
    CHECK_CONTAINS(events, "\"event\":\"delivered\"");
    CHECK_CONTAINS(events, "\"message_id\":\"t-7\"");
    vc_string_free(events);

    CHECK_RESULT(vc_callback_parse("aliyun", NULL, (const uint8_t *)aliyun_report,
                                   strlen(aliyun_report), &events, &err),
                 VC_RESULT_OK, err);
    CHECK_CONTAINS(events, "\"event\":\"failed\"");
    CHECK_CONTAINS(events, "\"message_id\":\"116012354148^1\"");
    CHECK_CONTAINS(events, "\"state_code\":200002");
    vc_string_free(events);
    {
        static const char sms_report[] =
            "[{\"phone_number\":\"13800138000\",\"report_time\":\"2017-01-01 00:00:05\","
            "\"success\":true,\"err_code\":\"DELIVERED\",\"err_msg\":\"ok\",\"biz_id\":\"9006^0\"}"
            "]";
        events = NULL;
        CHECK_RESULT(vc_callback_parse("aliyun", NULL, (const uint8_t *)sms_report,
                                       strlen(sms_report), &events, &err),
                     VC_RESULT_OK, err);
        CHECK_CONTAINS(events, "\"event\":\"delivered\"");
        CHECK_CONTAINS(events, "\"message_id\":\"9006^0\"");
        vc_string_free(events);
    }
    {
        static const char tencent_callback[] =
            "{\"voicecode_callback\":{\"result\":\"0\",\"accept_time\":\"1470196835\","
            "\"callid\":\"c-9\",\"end_calltime\":\"1470196843\",\"mobile\":\"13800138000\","
            "\"nationcode\":\"86\",\"start_calltime\":\"1470196821\"}}";
        CHECK_RESULT(vc_callback_parse("tencent", NULL, (const uint8_t *)tencent_callback,
                                       strlen(tencent_callback), &events, &err),
                     VC_RESULT_OK, err);
        CHECK_CONTAINS(events, "\"event\":\"delivered\"");
        CHECK_CONTAINS(events, "\"message_id\":\"c-9\"");
        CHECK_CONTAINS(events, "\"talk_seconds\":8");
        vc_string_free(events);
        events = NULL;
    }

    {
        /* SMS reports as form posts: Huawei's status report, ihuyi's 发送回执. */
        static const char huawei_report[] =
            "sequence=1&total=1&updateTime=2018-10-31T08%3A43%3A41Z&source=2"
            "&smsMsgId=2ea20735-f856-4376-afbf-570bd70a46ee_11840135&status=E200027";
        static const char ihuyi_report[] = "code=2&msg=DELIVRD&mobilephone=13800138000"
                                           "&smsid=1474562554&report_time=2017-08-02+14%3A31%3A51";
        CHECK_RESULT(vc_callback_parse("huawei", NULL, (const uint8_t *)huawei_report,
                                       strlen(huawei_report), &events, &err),
                     VC_RESULT_OK, err);
        CHECK_CONTAINS(events, "\"event\":\"failed\"");
        CHECK_CONTAINS(events, "\"message_id\":\"2ea20735-f856-4376-afbf-570bd70a46ee_11840135\"");
        CHECK_CONTAINS(events, "\"state_desc\":\"E200027\"");
        vc_string_free(events);
        events = NULL;
        CHECK_RESULT(vc_callback_parse("ihuyi", NULL, (const uint8_t *)ihuyi_report,
                                       strlen(ihuyi_report), &events, &err),
                     VC_RESULT_OK, err);
        CHECK_CONTAINS(events, "\"event\":\"delivered\"");
        CHECK_CONTAINS(events, "\"at\":\"2017-08-02T06:31:51Z\"");
        vc_string_free(events);
        events = NULL;
    }

    {
        /* A Huawei SMS status report signed by Huawei's own signer (推送AKSK鉴权 on), in 2018:
         * genuine under a wide window, stale under the default one, forged with another body. */
        static const char url[] = "https://example.com/sms/report?token=s3cret";
        static const char headers[] =
            "{\"Content-Type\":\"application/x-www-form-urlencoded\","
            "\"X-Sdk-Date\":\"20181031T084345Z\",\"X-Sdk-Content-Sha256\":\"UNSIGNED-PAYLOAD\","
            "\"Host\":\"example.com\",\"Authorization\":\"SDK-HMAC-SHA256 Access=my_app_key, "
            "SignedHeaders=content-type;host;x-sdk-content-sha256;x-sdk-date, "
            "Signature=593793df25e880524695de3235356b246189269bd3b23ea7a3a4122d98976e85\"}";
        static const char report[] =
            "sequence=1&total=1&updateTime=2018-10-31T08%3A43%3A41Z&source=2"
            "&smsMsgId=2ea20735-f856-4376-afbf-570bd70a46ee_11840135&status=DELIVRD";
        const uint32_t forever = 4000000000u;
        CHECK_RESULT(vc_callback_verify_huawei_report(url, "my_app_key", "my_app_secret", headers,
                                                      (const uint8_t *)report, strlen(report),
                                                      forever, &err),
                     VC_RESULT_OK, err);
        CHECK_RESULT(vc_callback_verify_huawei_report(url, "my_app_key", "my_app_secret", headers,
                                                      (const uint8_t *)report, strlen(report), 0,
                                                      &err),
                     VC_RESULT_AUTH_FAILED, err);
        vc_error_free(err);
        err = NULL;
        CHECK_RESULT(vc_callback_verify_huawei_report(url, "my_app_key", "another_secret", headers,
                                                      (const uint8_t *)report, strlen(report),
                                                      forever, &err),
                     VC_RESULT_AUTH_FAILED, err);
        vc_error_free(err);
        err = NULL;
        CHECK_INVALID(vc_callback_verify_huawei_report(NULL, "my_app_key", "my_app_secret", headers,
                                                       (const uint8_t *)report, strlen(report), 0,
                                                       &err),
                      "url");
    }

    /* ytx sends no pushes. */
    CHECK_INVALID(vc_callback_parse("ytx", NULL, NULL, 0, &events, &err), "vendor");

    /* Huawei push authentication: genuine, replayed, forged, missing. */
    CHECK_RESULT(vc_huawei_verifier_new("SimHuaweiAppSecret0000000001", url, 0, &verifier, &err),
                 VC_RESULT_OK, err);
    CHECK_RESULT(vc_sim_sign_huawei_push(url, &headers, &err), VC_RESULT_OK, err);
    CHECK_RESULT(vc_callback_verify_huawei(verifier, headers, &err), VC_RESULT_OK, err);
    CHECK_RESULT(vc_callback_verify_huawei(verifier, headers, &err), VC_RESULT_AUTH_FAILED, err);
    CHECK_CONTAINS(vc_error_message(err), "nonce");
    vc_error_free(err);
    err = NULL;
    vc_string_free(headers);
    headers = NULL;
    CHECK_RESULT(vc_sim_sign_huawei_push("https://example.test/other", &headers, &err),
                 VC_RESULT_OK, err);
    CHECK_RESULT(vc_callback_verify_huawei(verifier, headers, &err), VC_RESULT_AUTH_FAILED, err);
    CHECK_CONTAINS(vc_error_message(err), "digest");
    vc_error_free(err);
    err = NULL;
    vc_string_free(headers);
    CHECK_RESULT(vc_callback_verify_huawei(verifier, "{}", &err), VC_RESULT_AUTH_FAILED, err);
    vc_error_free(err);
    err = NULL;
    CHECK_INVALID(vc_callback_verify_huawei(verifier, NULL, &err), "headers_json");
    vc_huawei_verifier_free(verifier);
}

/*
 * A peer that closes the connection while the other side writes raises SIGPIPE, which would end
 * a C program: the library ignores it (when it has its default action), so a huge answer cut
 * off by the client's size cap is an error, not the end of the process.
 */
static void test_a_closed_connection_does_not_end_the_process(const vc_sim *sim) {
    struct sigaction current;
    vc_client *client = sim_client(sim, "huawei");
    REQUIRE(sigaction(SIGPIPE, NULL, &current) == 0);
    CHECK(current.sa_handler == SIG_IGN);
    for (int i = 0; i < 3; i++) {
        check_fault(sim, client, "{\"vendor\":\"huawei\",\"fault\":\"huge_body\"}",
                    VC_RESULT_PROTOCOL, VC_OUTCOME_UNKNOWN, NULL);
    }
    vc_client_free(client);
}

/* Each pushing vendor's acknowledgement; NULL for a vendor that sends none. */
static void test_push_acks(void) {
    static const char *const json = "application/json; charset=utf-8";
    static const struct {
        const char *vendor, *body, *content_type;
    } acks[] = {
        {"aliyun", "{\"code\":0,\"msg\":\"接收成功\"}", json},
        {"tencent", "{\"result\":0,\"errmsg\":\"OK\"}", json},
        {"huawei", "", "text/plain; charset=utf-8"},
        {"cloud10658", "", "text/plain; charset=utf-8"},
        {"ihuyi", "success", "text/plain; charset=utf-8"},
        {"ytx", NULL, NULL},
    };
    static char unset[] = "unset";
    vc_error *err = NULL;
    for (size_t i = 0; i < sizeof acks / sizeof acks[0]; i++) {
        char *body = unset, *content_type = unset;
        CHECK_RESULT(vc_push_ack(acks[i].vendor, &body, &content_type, &err), VC_RESULT_OK, err);
        if (acks[i].body == NULL) {
            CHECK(body == NULL && content_type == NULL);
            continue;
        }
        CHECK_STR(body, acks[i].body);
        CHECK_STR(content_type, acks[i].content_type);
        vc_string_free(body);
        vc_string_free(content_type);
    }
    char *body = NULL, *content_type = NULL;
    CHECK_INVALID(vc_push_ack("nokia", &body, &content_type, &err), "vendor");
    CHECK_INVALID(vc_push_ack("aliyun", NULL, &content_type, &err), "body_out");
    CHECK(body == NULL && content_type == NULL);
}

int main(void) {
    vc_sim *sim = NULL;
    vc_error *err = NULL;

    test_version();
    test_result_and_outcome_names();
    CHECK_RESULT(vc_sim_start(NULL, &sim, &err), VC_RESULT_OK, err);
    REQUIRE(sim != NULL);

    test_send_on_each_voice_vendor(sim);
    test_send_on_each_sms_product(sim);
    test_balance(sim);
    test_last_code(sim);
    test_oneaccess_captcha_then_sms(sim);
    test_each_error_kind(sim);
    test_panic_is_caught();
    test_null_arguments(sim);
    test_garbage_arguments(sim);
    test_router_fails_over_without_ringing_twice(sim);
    test_a_closed_connection_does_not_end_the_process(sim);
    test_callbacks();
    test_push_acks();

    vc_sim_free(sim);
    return checks_report("test_api");
}
