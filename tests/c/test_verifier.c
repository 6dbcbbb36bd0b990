/*
 * vc_verifier against the simulator: the lifecycle (start, the code the phone heard, check,
 * cancel), limits with their wait, many threads on one handle (exactly one approval of the
 * right code, exactly one call for one number), the SQLite store, and bad input refused with
 * the field named and no call placed. Usage: test_verifier TEMPDIR
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define SECRET "\"secret\":\"c-test-verifier-secret-0123\""
#define THREADS_CHECKING 100
#define THREADS_STARTING 50

/* A router over the simulator's huawei account, the one channel most tests need. */
static vc_router *huawei_router(const vc_sim *sim) {
    char *config = NULL;
    char configs[4096];
    vc_router *router = NULL;
    REQUIRE(vc_sim_config_json(sim, "huawei", &config, NULL) == VC_RESULT_OK);
    REQUIRE(strlen(config) + 3 < sizeof configs);
    snprintf(configs, sizeof configs, "[%s]", config);
    vc_string_free(config);
    REQUIRE(vc_router_new(configs, &router, NULL) == VC_RESULT_OK);
    return router;
}

static vc_verifier *new_verifier(const vc_router *router, const char *config) {
    vc_verifier *verifier = NULL;
    vc_error *err = NULL;
    CHECK_RESULT(vc_verifier_new(router, config, &verifier, &err), VC_RESULT_OK, err);
    vc_error_free(err);
    REQUIRE(verifier != NULL);
    return verifier;
}

/* The code the simulator's phone heard last for `to`, copied into `code`. */
static void heard(const vc_sim *sim, const char *to, char *code, size_t size) {
    char *last = NULL;
    REQUIRE(vc_sim_last_code(sim, to, &last, NULL) == VC_RESULT_OK && last != NULL);
    REQUIRE(strlen(last) < size);
    strcpy(code, last);
    vc_string_free(last);
}

static vc_check check_code(const vc_verifier *verifier, const char *to, const char *code,
                           uint32_t *attempts_left) {
    vc_check check = VC_CHECK_NOT_FOUND;
    vc_error *err = NULL;
    CHECK_RESULT(vc_verifier_check(verifier, to, code, &check, attempts_left, &err), VC_RESULT_OK,
                 err);
    vc_error_free(err);
    return check;
}

static void test_lifecycle(const vc_sim *sim, const vc_router *router) {
    const char *to = "+8613800138001";
    vc_verifier *verifier = new_verifier(router, "{" SECRET "}");
    char *verification = NULL;
    char code[16];
    char wrong[16];
    uint32_t left = 99;
    vc_error *err = NULL;

    CHECK_RESULT(vc_verifier_start(verifier, to, NULL, &verification, &err), VC_RESULT_OK, err);
    CHECK_CONTAINS(verification, "\"status\":\"sent\"");
    CHECK_CONTAINS(verification, "\"to\":\"+8613800138001\"");
    CHECK_CONTAINS(verification, "\"max_attempts\":5");
    heard(sim, to, code, sizeof code);
    CHECK(strlen(code) == 6);
    CHECK(strstr(verification, code) == NULL); /* the verification never holds the code */
    vc_string_free(verification);
    verification = NULL;

    strcpy(wrong, code);
    wrong[0] = wrong[0] == '9' ? '0' : (char)(wrong[0] + 1);
    CHECK(check_code(verifier, to, wrong, &left) == VC_CHECK_WRONG_CODE);
    CHECK(left == 4);
    CHECK(check_code(verifier, to, code, &left) == VC_CHECK_APPROVED);
    CHECK(left == 0);
    CHECK(check_code(verifier, to, code, NULL) == VC_CHECK_NOT_FOUND);
    CHECK_STR(vc_check_name(VC_CHECK_TOO_MANY_ATTEMPTS), "too_many_attempts");

    /* A second start within the cooldown places no call and says how long to wait. */
    size_t sends = sim_count(sim, "huawei", "send_code");
    CHECK_RESULT(vc_verifier_start(verifier, to, "{\"key\":\"203.0.113.7\"}", &verification, &err),
                 VC_RESULT_RATE_LIMITED, err);
    CHECK(vc_error_retry_after(err) > 0 && vc_error_retry_after(err) <= 60);
    CHECK(sim_count(sim, "huawei", "send_code") == sends);
    CHECK(verification == NULL);
    vc_error_free(err);
    err = NULL;

    /* A caller's own code, then a cancel. */
    CHECK_RESULT(
        vc_verifier_start(verifier, "+8613800138002", "{\"code\":\"246810\"}", &verification, &err),
        VC_RESULT_OK, err);
    vc_string_free(verification);
    heard(sim, "+8613800138002", code, sizeof code);
    CHECK_STR(code, "246810");
    CHECK_RESULT(vc_verifier_cancel(verifier, "+8613800138002", &err), VC_RESULT_OK, err);
    CHECK(check_code(verifier, "+8613800138002", "246810", NULL) == VC_CHECK_CANCELED);
    /* A clear forgets the number: the canceled code, and the cooldown with it. */
    CHECK_RESULT(vc_verifier_clear(verifier, "+8613800138002", &err), VC_RESULT_OK, err);
    CHECK(check_code(verifier, "+8613800138002", "246810", NULL) == VC_CHECK_NOT_FOUND);
    CHECK_RESULT(
        vc_verifier_start(verifier, "+8613800138002", "{\"code\":\"135790\"}", &verification, &err),
        VC_RESULT_OK, err);
    vc_string_free(verification);
    CHECK(check_code(verifier, "+8613800138002", "135790", NULL) == VC_CHECK_APPROVED);
    vc_verifier_free(verifier);
}

struct checker {
    const vc_verifier *verifier;
    const char *to;
    const char *code;
    vc_check check;
};

static void *check_once(void *arg) {
    struct checker *c = arg;
    c->check = VC_CHECK_NOT_FOUND;
    if (vc_verifier_check(c->verifier, c->to, c->code, &c->check, NULL, NULL) != VC_RESULT_OK) {
        c->check = (vc_check)99;
    }
    return NULL;
}

/* Many threads check the right code on one handle: the store lets exactly one through. */
static void test_parallel_checks(const vc_sim *sim, const vc_router *router, const char *store) {
    const char *to = "+8613800138003";
    char config[1024];
    char *verification = NULL;
    char code[16];
    struct checker checkers[THREADS_CHECKING];
    pthread_t ids[THREADS_CHECKING];
    int approved = 0, not_found = 0, i;
    vc_error *err = NULL;

    snprintf(config, sizeof config, "{" SECRET ",\"store\":\"%s\"}", store);
    vc_verifier *verifier = new_verifier(router, config);
    CHECK_RESULT(vc_verifier_start(verifier, to, NULL, &verification, &err), VC_RESULT_OK, err);
    vc_string_free(verification);
    heard(sim, to, code, sizeof code);
    for (i = 0; i < THREADS_CHECKING; i++) {
        checkers[i] = (struct checker){verifier, to, code, VC_CHECK_NOT_FOUND};
        REQUIRE(pthread_create(&ids[i], NULL, check_once, &checkers[i]) == 0);
    }
    for (i = 0; i < THREADS_CHECKING; i++) {
        REQUIRE(pthread_join(ids[i], NULL) == 0);
        approved += checkers[i].check == VC_CHECK_APPROVED;
        not_found += checkers[i].check == VC_CHECK_NOT_FOUND;
    }
    printf("%d parallel checks of the right code (%s): %d approved, %d not_found\n",
           THREADS_CHECKING, store, approved, not_found);
    CHECK(approved == 1);
    CHECK(not_found == THREADS_CHECKING - 1);
    vc_verifier_free(verifier);
}

struct starter {
    const vc_verifier *verifier;
    vc_result result;
    uint64_t retry_after;
};

static void *start_once(void *arg) {
    struct starter *s = arg;
    char *verification = NULL;
    vc_error *err = NULL;
    s->result = vc_verifier_start(s->verifier, "+8613800138004", NULL, &verification, &err);
    s->retry_after = vc_error_retry_after(err);
    vc_string_free(verification);
    vc_error_free(err);
    return NULL;
}

/* Many threads start one number at once: exactly one call, the rest told how long to wait. */
static void test_parallel_starts(const vc_sim *sim, const vc_router *router, const char *store) {
    char config[1024];
    struct starter starters[THREADS_STARTING];
    pthread_t ids[THREADS_STARTING];
    int started = 0, limited = 0, i;
    size_t before = sim_count(sim, "huawei", "send_code");

    snprintf(config, sizeof config, "{" SECRET ",\"store\":\"%s\"}", store);
    vc_verifier *verifier = new_verifier(router, config);
    for (i = 0; i < THREADS_STARTING; i++) {
        starters[i] = (struct starter){verifier, VC_RESULT_INTERNAL, 0};
        REQUIRE(pthread_create(&ids[i], NULL, start_once, &starters[i]) == 0);
    }
    for (i = 0; i < THREADS_STARTING; i++) {
        REQUIRE(pthread_join(ids[i], NULL) == 0);
        started += starters[i].result == VC_RESULT_OK;
        limited += starters[i].result == VC_RESULT_RATE_LIMITED && starters[i].retry_after > 0;
    }
    printf("%d parallel starts of one number (%s): %d started, %d rate_limited, %zu calls\n",
           THREADS_STARTING, store, started, limited,
           sim_count(sim, "huawei", "send_code") - before);
    CHECK(started == 1);
    CHECK(limited == THREADS_STARTING - 1);
    CHECK(sim_count(sim, "huawei", "send_code") == before + 1);
    vc_verifier_free(verifier);
}

/* A refused call and its error's field; frees the error and clears `*err` for the next call. */
static void expect_error(vc_result got, vc_result expected, vc_error **err, const char *field) {
    CHECK_RESULT(got, expected, *err);
    CHECK_STR(vc_error_field(*err), field);
    vc_error_free(*err);
    *err = NULL;
}

static void test_bad_input(const vc_sim *sim, const vc_router *router) {
    vc_verifier *verifier = NULL;
    vc_router *oneaccess = NULL;
    char *config = NULL;
    char configs[4096];
    char *verification = NULL;
    vc_check check = VC_CHECK_NOT_FOUND;
    vc_error *err = NULL;
    size_t sends = sim_count(sim, "huawei", "send_code");

    expect_error(vc_verifier_new(router, "{\"secret\":\"short\"}", &verifier, &err),
                 VC_RESULT_INVALID_CONFIG, &err, "secret");
    expect_error(vc_verifier_new(router, "{" SECRET ",\"ttl\":60}", &verifier, &err),
                 VC_RESULT_INVALID_CONFIG, &err, "ttl");
    expect_error(
        vc_verifier_new(router, "{" SECRET ",\"store\":\"postgres://x\"}", &verifier, &err),
        VC_RESULT_INVALID_CONFIG, &err, "store");
    expect_error(vc_verifier_new(router, "{" SECRET ",\"code_length\":12}", &verifier, &err),
                 VC_RESULT_INVALID_CONFIG, &err, "code_length");
    expect_error(vc_verifier_new(router, "not json", &verifier, &err), VC_RESULT_INVALID_INPUT,
                 &err, "config_json");
    expect_error(vc_verifier_new(router, NULL, &verifier, &err), VC_RESULT_INVALID_INPUT, &err,
                 "config_json");
    expect_error(vc_verifier_new(router, "{" SECRET "}", NULL, &err), VC_RESULT_INVALID_INPUT, &err,
                 "verifier_out");
    CHECK(verifier == NULL);

    /* OneAccess sends SMS codes only: a verifier cannot call through it. */
    REQUIRE(vc_sim_config_json(sim, "oneaccess", &config, NULL) == VC_RESULT_OK);
    snprintf(configs, sizeof configs, "[%s]", config);
    vc_string_free(config);
    REQUIRE(vc_router_new(configs, &oneaccess, NULL) == VC_RESULT_OK);
    expect_error(vc_verifier_new(oneaccess, "{" SECRET "}", &verifier, &err),
                 VC_RESULT_INVALID_CONFIG, &err, "vendor");
    vc_router_free(oneaccess);

    verifier = new_verifier(router, "{" SECRET "}");
    expect_error(vc_verifier_start(verifier, "12345", NULL, &verification, &err),
                 VC_RESULT_INVALID_INPUT, &err, "to");
    expect_error(vc_verifier_start(verifier, NULL, NULL, &verification, &err),
                 VC_RESULT_INVALID_INPUT, &err, "to");
    expect_error(
        vc_verifier_start(verifier, "+8613800138005", "{\"code\":\"12ab\"}", &verification, &err),
        VC_RESULT_INVALID_INPUT, &err, "code");
    expect_error(vc_verifier_start(verifier, "+8613800138005", "{\"to\":\"+8613800138006\"}",
                                   &verification, &err),
                 VC_RESULT_INVALID_INPUT, &err, "to");
    expect_error(vc_verifier_start(verifier, "+8613800138005", "{\"play_times\":\"2\"}",
                                   &verification, &err),
                 VC_RESULT_INVALID_INPUT, &err, "play_times");
    expect_error(vc_verifier_start(verifier, "+8613800138005", "[1]", &verification, &err),
                 VC_RESULT_INVALID_INPUT, &err, "options");
    expect_error(vc_verifier_start(verifier, "+8613800138005", NULL, NULL, &err),
                 VC_RESULT_INVALID_INPUT, &err, "verification_json_out");
    CHECK(verification == NULL);
    expect_error(vc_verifier_check(verifier, "+8613800138005", "", &check, NULL, &err),
                 VC_RESULT_INVALID_INPUT, &err, "code");
    expect_error(vc_verifier_check(verifier, "+8613800138005", "1234", NULL, NULL, &err),
                 VC_RESULT_INVALID_INPUT, &err, "check_out");
    expect_error(vc_verifier_check(NULL, "+8613800138005", "123456", &check, NULL, &err),
                 VC_RESULT_INVALID_INPUT, &err, "verifier");
    expect_error(vc_verifier_cancel(verifier, "", &err), VC_RESULT_INVALID_INPUT, &err, "to");
    CHECK(sim_count(sim, "huawei", "send_code") == sends);
    vc_verifier_free(verifier);
    vc_verifier_free(NULL);
}

/* A router over the simulator's Tencent SMS account. */
static vc_router *sms_router(const vc_sim *sim) {
    char *config = NULL;
    char configs[4096];
    vc_router *router = NULL;
    REQUIRE(vc_sim_product_config_json(sim, "tencent", "sms", &config, NULL) == VC_RESULT_OK);
    REQUIRE(strlen(config) + 3 < sizeof configs);
    snprintf(configs, sizeof configs, "[%s]", config);
    vc_string_free(config);
    REQUIRE(vc_router_new(configs, &router, NULL) == VC_RESULT_OK);
    return router;
}

/* SMS first, voice on a resend, the one code; the check says how it was last sent. */
static void test_sms_then_voice(const vc_sim *sim, const vc_router *voice) {
    static const char to[] = "+8613800134444";
    const vc_router *routers[2];
    vc_router *sms = sms_router(sim);
    vc_verifier *verifier = NULL;
    vc_error *err = NULL;
    char *verification = NULL;
    char *check = NULL;
    char first[16];
    char second[16];
    routers[0] = sms;
    routers[1] = voice;
    CHECK_RESULT(
        vc_verifier_new_routers(routers, 2, "{" SECRET ",\"cooldown_secs\":0}", &verifier, &err),
        VC_RESULT_OK, err);
    REQUIRE(verifier != NULL);

    CHECK_RESULT(vc_verifier_start(verifier, to, NULL, &verification, &err), VC_RESULT_OK, err);
    CHECK_CONTAINS(verification, "\"channel\":\"sms\"");
    vc_string_free(verification);
    heard(sim, to, first, sizeof first);
    CHECK_RESULT(vc_verifier_start(verifier, to, NULL, &verification, &err), VC_RESULT_OK, err);
    CHECK_CONTAINS(verification, "\"channel\":\"voice\"");
    vc_string_free(verification);
    heard(sim, to, second, sizeof second);
    CHECK_STR(second, first);

    CHECK_RESULT(vc_verifier_check_json(verifier, to, first, &check, &err), VC_RESULT_OK, err);
    CHECK_STR(check, "{\"status\":\"approved\",\"channel\":\"voice\"}");
    vc_string_free(check);
    vc_verifier_free(verifier);

    /* NULL arrays and elements, a bad length, and a workflow without its router are named. */
    verifier = NULL;
    CHECK(vc_verifier_new_routers(NULL, 1, "{" SECRET "}", &verifier, &err) ==
          VC_RESULT_INVALID_INPUT);
    CHECK_STR(vc_error_field(err), "routers");
    vc_error_free(err);
    CHECK(vc_verifier_new_routers(routers, 0, "{" SECRET "}", &verifier, &err) ==
          VC_RESULT_INVALID_INPUT);
    CHECK_STR(vc_error_field(err), "routers_len");
    vc_error_free(err);
    routers[1] = NULL;
    CHECK(vc_verifier_new_routers(routers, 2, "{" SECRET "}", &verifier, &err) ==
          VC_RESULT_INVALID_INPUT);
    CHECK_STR(vc_error_field(err), "routers[1]");
    vc_error_free(err);
    CHECK(vc_verifier_new_routers(routers, 1, "{" SECRET ",\"workflow\":[\"voice\"]}", &verifier,
                                  &err) == VC_RESULT_INVALID_CONFIG);
    CHECK_STR(vc_error_field(err), "workflow");
    vc_error_free(err);
    CHECK(verifier == NULL);
    vc_router_free(sms);
}

int main(int argc, char **argv) {
    vc_sim *sim = NULL;
    vc_error *err = NULL;
    char store[1024];

    REQUIRE(argc == 2);
    CHECK_RESULT(vc_sim_start(NULL, &sim, &err), VC_RESULT_OK, err);
    REQUIRE(sim != NULL);
    vc_router *router = huawei_router(sim);

    test_lifecycle(sim, router);
    test_parallel_checks(sim, router, "memory");
    test_parallel_starts(sim, router, "memory");
    snprintf(store, sizeof store, "sqlite:%s/codes.db", argv[1]);
    test_parallel_checks(sim, router, store);
    snprintf(store, sizeof store, "sqlite:%s/starts.db", argv[1]);
    test_parallel_starts(sim, router, store);
    test_bad_input(sim, router);
    test_sms_then_voice(sim, router);

    vc_router_free(router);
    vc_sim_free(sim);
    return checks_report("test_verifier");
}
