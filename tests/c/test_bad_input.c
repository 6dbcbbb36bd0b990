/*
 * The bad-input corpus (tests/corpus/bad_input.json, as lines from tests/corpus/to_lines.py)
 * through the C ABI: every case is refused with the result code of its kind and an error whose
 * field names the key, and the simulator's journal stays empty. Then invalid UTF-8 and
 * non-JSON text in every JSON argument.
 *
 * Usage: test_bad_input CORPUS_LINES
 */
#include <stdint.h>

#include "check.h"

static const char *const VENDORS[] = {"ytx",       "huawei", "ihuyi",  "cloud10658",
                                      "oneaccess", "aliyun", "tencent"};
static const char *const OPERATIONS[] = {"send_code", "balance", "captcha", "verify_captcha",
                                         "send_sms_code"};

static int nibble(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    abort();
}

/* Hex to bytes, NUL-terminated; the caller frees it. */
static char *unhex(const char *hex) {
    size_t len = strlen(hex) / 2;
    char *bytes = malloc(len + 1);
    if (bytes == NULL) {
        abort();
    }
    for (size_t i = 0; i < len; i++) {
        bytes[i] = (char)(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
    }
    bytes[len] = '\0';
    return bytes;
}

/* `text` with every "@SIM@" replaced by `url`; the caller frees it. */
static char *with_sim(const char *text, const char *url) {
    const char *marker = "@SIM@";
    size_t count = 0;
    for (const char *p = strstr(text, marker); p != NULL; p = strstr(p + 1, marker)) {
        count++;
    }
    char *out = malloc(strlen(text) + count * strlen(url) + 1);
    if (out == NULL) {
        abort();
    }
    char *w = out;
    for (const char *p = text;;) {
        const char *hit = strstr(p, marker);
        size_t n = hit ? (size_t)(hit - p) : strlen(p);
        memcpy(w, p, n);
        w += n;
        if (hit == NULL) {
            break;
        }
        memcpy(w, url, strlen(url));
        w += strlen(url);
        p = hit + strlen(marker);
    }
    *w = '\0';
    return out;
}

/* Runs one case; returns its error (NULL when it was accepted). */
static vc_error *attempt(const vc_sim *sim, const char *what, const char *vendor,
                         const char *product, const char *op, const char *payload, vc_result *rc) {
    vc_error *err = NULL;
    vc_client *client = NULL;
    if (strcmp(what, "send") != 0) {
        *rc = vc_client_new(payload, &client, &err);
        vc_client_free(client);
        return err;
    }
    char *config = NULL;
    if (vc_sim_product_config_json(sim, vendor, product, &config, NULL) != VC_RESULT_OK ||
        vc_client_new(config, &client, NULL) != VC_RESULT_OK) {
        fprintf(stderr, "the simulator's %s %s config is refused\n", vendor, product);
        abort();
    }
    vc_string_free(config);
    char *out = NULL;
    if (strcmp(op, "send_code") == 0) {
        *rc = vc_client_send(client, payload, &out, &err);
    } else if (strcmp(op, "verify_captcha") == 0) {
        *rc = vc_client_verify_captcha(client, payload, &out, &err);
    } else {
        *rc = vc_client_send_sms_code(client, payload, &err);
    }
    vc_string_free(out);
    vc_client_free(client);
    return err;
}

static size_t journal_total(const vc_sim *sim) {
    size_t total = 0;
    for (size_t v = 0; v < sizeof VENDORS / sizeof *VENDORS; v++) {
        for (size_t o = 0; o < sizeof OPERATIONS / sizeof *OPERATIONS; o++) {
            size_t count = 0;
            CHECK(vc_sim_count(sim, VENDORS[v], OPERATIONS[o], &count, NULL) == VC_RESULT_OK);
            total += count;
        }
    }
    return total;
}

static int run_corpus(const vc_sim *sim, const char *path) {
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        perror(path);
        return 0;
    }
    const char *url = vc_sim_base_url(sim);
    static char line[32 * 1024 * 1024];
    int cases = 0, skipped = 0, failed = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        char *fields[8] = {0};
        char *rest = line;
        for (int i = 0; i < 8; i++) {
            fields[i] = rest;
            rest = strchr(rest, '\t');
            if (rest != NULL) {
                *rest++ = '\0';
            } else if (i < 7) {
                fprintf(stderr, "malformed line %d\n", cases + 1);
                abort();
            } else {
                break;
            }
        }
        const char *id = fields[0], *what = fields[1], *kind = fields[4], *field = fields[5];
        cases++;
        if (strcmp(what, "skip") == 0) {
            skipped++;
            continue;
        }
        char *raw = unhex(fields[6]);
        char *payload = with_sim(raw, url);
        free(raw);
        vc_result rc = VC_RESULT_OK;
        vc_error *err = attempt(sim, what, fields[2], fields[7], fields[3], payload, &rc);
        free(payload);
        const char *got_field = err ? vc_error_field(err) : NULL;
        int right = rc != VC_RESULT_OK && err != NULL && strcmp(vc_result_name(rc), kind) == 0 &&
                    got_field != NULL && strcmp(got_field, field) == 0 &&
                    vc_error_outcome(err) == VC_OUTCOME_NOT_SENT;
        CHECK(right);
        if (!right) {
            failed++;
            fprintf(stderr, "%s: expected %s on %s, got %s on %s: %s\n", id, kind, field,
                    vc_result_name(rc), got_field ? got_field : "(none)",
                    err ? vc_error_message(err) : "accepted");
        }
        vc_error_free(err);
    }
    fclose(file);
    size_t journal = journal_total(sim);
    printf("bad-input corpus, C: %d cases, %d run, %d not expressible in C, %d failed, %zu "
           "requests reached the simulator\n",
           cases, cases - skipped, skipped, failed, journal);
    CHECK(cases >= 200);
    CHECK(journal == 0);
    return cases;
}

/* Invalid UTF-8 and non-JSON in every JSON argument: invalid_input naming the argument. */
static void bad_text_in_every_json_argument(const vc_sim *sim) {
    char *config = NULL;
    vc_client *client = NULL;
    CHECK(vc_sim_config_json(sim, "ihuyi", &config, NULL) == VC_RESULT_OK);
    CHECK(vc_client_new(config, &client, NULL) == VC_RESULT_OK);
    vc_string_free(config);
    const char *texts[] = {"{\"to\":\"\xff\xfe\",\"code\":\"4821\"}",
                           "\xc3\x28",
                           "not json",
                           "{",
                           "",
                           "[1,2",
                           "{\"to\":\"13800138000\",\"code\":\"4821\"} trailing"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        vc_error *err = NULL;
        vc_client *none = NULL;
        vc_router *no_router = NULL;
        char *out = NULL;
        CHECK(vc_client_new(texts[i], &none, &err) == VC_RESULT_INVALID_INPUT);
        CHECK_STR(vc_error_field(err), "config_json");
        vc_error_free(err);
        err = NULL;
        CHECK(vc_router_new(texts[i], &no_router, &err) == VC_RESULT_INVALID_INPUT);
        CHECK_STR(vc_error_field(err), "configs_json");
        vc_error_free(err);
        err = NULL;
        CHECK(vc_client_send(client, texts[i], &out, &err) == VC_RESULT_INVALID_INPUT);
        CHECK_STR(vc_error_field(err), "request_json");
        vc_error_free(err);
        err = NULL;
        CHECK(vc_client_verify_captcha(client, texts[i], &out, &err) == VC_RESULT_INVALID_INPUT);
        CHECK_STR(vc_error_field(err), "request_json");
        vc_error_free(err);
        err = NULL;
        CHECK(vc_client_send_sms_code(client, texts[i], &err) == VC_RESULT_INVALID_INPUT);
        CHECK_STR(vc_error_field(err), "request_json");
        vc_error_free(err);
        CHECK(none == NULL && no_router == NULL && out == NULL);
    }
    vc_client_free(client);
    CHECK(journal_total(sim) == 0);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_LINES\n", argv[0]);
        return 2;
    }
    vc_sim *sim = NULL;
    if (vc_sim_start(NULL, &sim, NULL) != VC_RESULT_OK) {
        fprintf(stderr, "the simulator does not start\n");
        return 1;
    }
    run_corpus(sim, argv[1]);
    bad_text_in_every_json_argument(sim);
    vc_sim_free(sim);
    printf("test_bad_input: %d passed, %d failed\n", checks_passed, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}
