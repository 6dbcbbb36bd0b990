/*
 * The secrets test (tests/secrets/scenario.json, as lines from tests/secrets/to_lines.py)
 * through the C ABI, run with VOICECODE_LOG=trace: every operation of every vendor, each under
 * every fault, with a wrong secret and with a config error, then a router and the verifier.
 * Every result and every error (message and JSON) is printed to stdout; the secrets go to
 * SECRETS_OUT only, for tests/secrets/check_output.py to search stdout and stderr for.
 *
 * Usage: test_secrets SCENARIO_LINES SECRETS_OUT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MAX_ITEMS 64

struct pair {
    char vendor[128];
    char name[128];
};

struct scenario {
    struct pair keys[MAX_ITEMS];
    int key_count;
    struct pair operations[MAX_ITEMS];
    int operation_count;
    char faults[MAX_ITEMS][128];
    int fault_count;
    int timeout_ms;
    char wrong_secret[128];
    char verifier_secret[128];
};

static void read_scenario(const char *path, struct scenario *s) {
    FILE *file = fopen(path, "r");
    char line[512], kind[64], a[128], b[128];
    REQUIRE(file != NULL);
    memset(s, 0, sizeof *s);
    while (fgets(line, sizeof line, file) != NULL) {
        int fields = sscanf(line, "%63s %127s %127s", kind, a, b);
        if (strcmp(kind, "secret_key") == 0 && fields == 3 && s->key_count < MAX_ITEMS) {
            snprintf(s->keys[s->key_count].vendor, sizeof s->keys[0].vendor, "%s", a);
            snprintf(s->keys[s->key_count++].name, sizeof s->keys[0].name, "%s", b);
        } else if (strcmp(kind, "operation") == 0 && fields == 3 &&
                   s->operation_count < MAX_ITEMS) {
            snprintf(s->operations[s->operation_count].vendor, sizeof s->keys[0].vendor, "%s", a);
            snprintf(s->operations[s->operation_count++].name, sizeof s->keys[0].name, "%s", b);
        } else if (strcmp(kind, "fault") == 0 && fields == 2 && s->fault_count < MAX_ITEMS) {
            snprintf(s->faults[s->fault_count++], sizeof s->faults[0], "%s", a);
        } else if (strcmp(kind, "timeout_ms") == 0 && fields == 2) {
            s->timeout_ms = atoi(a);
        } else if (strcmp(kind, "wrong_secret") == 0 && fields == 2) {
            snprintf(s->wrong_secret, sizeof s->wrong_secret, "%s", a);
        } else if (strcmp(kind, "verifier_secret") == 0 && fields == 2) {
            snprintf(s->verifier_secret, sizeof s->verifier_secret, "%s", a);
        }
    }
    fclose(file);
    REQUIRE(s->key_count > 0 && s->operation_count > 0 && s->fault_count > 0);
}

/* Prints what a program could print of a call's outcome: the result, or the error. */
static void show(const char *what, vc_result rc, char *out, vc_error *err) {
    if (rc == VC_RESULT_OK) {
        printf("%s: ok %s\n", what, out != NULL ? out : "");
    } else {
        printf("%s: %s %s\n  %s\n", what, vc_result_name(rc),
               vc_error_message(err) ? vc_error_message(err) : "(no message)",
               vc_error_json(err) ? vc_error_json(err) : "(no json)");
    }
    vc_string_free(out);
    vc_error_free(err);
}

static void operate(const vc_client *client, const struct scenario *s, const char *vendor) {
    for (int i = 0; i < s->operation_count; i++) {
        const char *op = s->operations[i].name;
        char *out = NULL;
        vc_error *err = NULL;
        vc_result rc;
        if (strcmp(s->operations[i].vendor, vendor) != 0) {
            continue;
        }
        if (strcmp(op, "send_code") == 0) {
            rc = vc_client_send(client, "{\"to\":\"13800138000\",\"code\":\"4821\"}", &out, &err);
        } else if (strcmp(op, "balance") == 0) {
            rc = vc_client_balance(client, &out, &err);
        } else if (strcmp(op, "captcha") == 0) {
            rc = vc_client_captcha(client, &out, &err);
        } else if (strcmp(op, "verify_captcha") == 0) {
            rc = vc_client_verify_captcha(
                client, "{\"token\":\"t\",\"x\":237,\"y\":5,\"mobile\":\"13800138000\"}", &out,
                &err);
        } else if (strcmp(op, "send_sms_code") == 0) {
            rc = vc_client_send_sms_code(
                client,
                "{\"mobile\":\"13800138000\",\"purpose\":\"login\",\"captcha_token\":\"t\"}", &err);
        } else {
            fprintf(stderr, "unknown operation %s in the scenario\n", op);
            exit(2);
        }
        show(op, rc, out, err);
    }
}

/* `config` with `"key":` given `value` (raw JSON), or with `extra` members added. */
static char *edited(const char *config, const char *key, const char *value, const char *extra) {
    size_t size = strlen(config) + 512;
    char *out = malloc(size);
    REQUIRE(out != NULL);
    if (key == NULL) {
        snprintf(out, size, "%.*s,%s}", (int)(strlen(config) - 1), config, extra);
        return out;
    }
    char pattern[96];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *start = strstr(config, pattern);
    REQUIRE(start != NULL);
    const char *end = strchr(start + strlen(pattern), '"');
    REQUIRE(end != NULL);
    snprintf(out, size, "%.*s\"%s\":%s%s", (int)(start - config), config, key, value, end + 1);
    return out;
}

/* The value of `"key":"…"` in `config`, written to `secrets`. */
static void write_secret(FILE *secrets, const char *config, const char *key) {
    char pattern[96];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *start = strstr(config, pattern);
    REQUIRE(start != NULL);
    start += strlen(pattern);
    fprintf(secrets, "%.*s\n", (int)(strchr(start, '"') - start), start);
}

static vc_client *client_or_show(const char *config) {
    vc_client *client = NULL;
    vc_error *err = NULL;
    vc_result rc = vc_client_new(config, &client, &err);
    show("vc_client_new", rc, NULL, err);
    return client;
}

int main(int argc, char **argv) {
    struct scenario s;
    vc_sim *sim = NULL;
    FILE *secrets;
    char extra[64], fault[512], quoted[160];

    REQUIRE(argc == 3);
    read_scenario(argv[1], &s);
    secrets = fopen(argv[2], "w");
    REQUIRE(secrets != NULL);
    fprintf(secrets, "%s\n%s\n", s.wrong_secret, s.verifier_secret);
    REQUIRE(vc_sim_start(NULL, &sim, NULL) == VC_RESULT_OK);
    snprintf(extra, sizeof extra, "\"timeout_ms\":%d", s.timeout_ms);
    snprintf(quoted, sizeof quoted, "\"%s\"", s.wrong_secret);

    for (int k = 0; k < s.key_count; k++) {
        const char *vendor = s.keys[k].vendor, *key = s.keys[k].name;
        char *raw = NULL;
        int times = 0;
        REQUIRE(vc_sim_config_json(sim, vendor, &raw, NULL) == VC_RESULT_OK);
        char *config = edited(raw, NULL, NULL, extra);
        vc_string_free(raw);
        vc_client *client = client_or_show(config);
        REQUIRE(client != NULL);
        operate(client, &s, vendor);
        for (int i = 0; i < s.operation_count; i++) {
            times += strcmp(s.operations[i].vendor, vendor) == 0;
        }
        for (int f = 0; f < s.fault_count; f++) {
            snprintf(fault, sizeof fault, "{\"vendor\":\"%s\",\"fault\":\"%s\",\"times\":%d}",
                     vendor, s.faults[f], times);
            REQUIRE(vc_sim_inject_json(sim, fault, NULL) == VC_RESULT_OK);
            operate(client, &s, vendor);
            REQUIRE(vc_sim_clear_faults(sim, NULL) == VC_RESULT_OK);
        }
        vc_client_free(client);
        if (strcmp(key, "-") != 0) {
            write_secret(secrets, config, key);
            char *wrong = edited(config, key, quoted, NULL);
            client = client_or_show(wrong);
            operate(client, &s, vendor);
            vc_client_free(client);
            free(wrong);
            char *bogus = edited(config, NULL, NULL, "\"bogus\":1");
            vc_client_free(client_or_show(bogus));
            free(bogus);
            char *typed = edited(config, key, "12345", NULL);
            vc_client_free(client_or_show(typed));
            free(typed);
        }
        free(config);
    }
    fclose(secrets);

    /* A router that fails over, and the verifier over it. */
    char *huawei = NULL, *ytx = NULL, configs[8192], settings[256];
    vc_router *router = NULL;
    vc_verifier *verifier = NULL;
    vc_error *err = NULL;
    char *out = NULL;
    REQUIRE(vc_sim_config_json(sim, "huawei", &huawei, NULL) == VC_RESULT_OK);
    REQUIRE(vc_sim_config_json(sim, "ytx", &ytx, NULL) == VC_RESULT_OK);
    snprintf(configs, sizeof configs, "[%s,%s]", huawei, ytx);
    vc_string_free(huawei);
    vc_string_free(ytx);
    REQUIRE(vc_router_new(configs, &router, NULL) == VC_RESULT_OK);
    REQUIRE(vc_sim_inject_json(sim, "{\"vendor\":\"huawei\",\"fault\":\"http_500\"}", NULL) ==
            VC_RESULT_OK);
    show("vc_router_send",
         vc_router_send(router, "{\"to\":\"13800138000\",\"code\":\"4821\"}", &out, &err), out,
         err);
    snprintf(settings, sizeof settings, "{\"secret\":\"%s\"}", s.verifier_secret);
    REQUIRE(vc_verifier_new(router, settings, &verifier, NULL) == VC_RESULT_OK);
    for (int i = 0; i < 2; i++) { /* the second start is rate_limited */
        out = NULL;
        err = NULL;
        show("vc_verifier_start", vc_verifier_start(verifier, "+8613800138000", NULL, &out, &err),
             out, err);
    }
    vc_check check;
    err = NULL;
    show("vc_verifier_check",
         vc_verifier_check(verifier, "+8613800138000", "000000", &check, NULL, &err), NULL, err);
    snprintf(settings, sizeof settings, "{\"secret\":\"%s\",\"ttl\":1}", s.verifier_secret);
    vc_verifier *refused = NULL;
    err = NULL;
    show("vc_verifier_new", vc_verifier_new(router, settings, &refused, &err), NULL, err);
    vc_verifier_free(verifier);
    vc_router_free(router);
    vc_sim_free(sim);
    return 0;
}
