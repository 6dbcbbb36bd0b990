/*
 * Tiny test helpers shared by the C tests: checks that count passes and failures, and the
 * simulator set-up. Every test program prints "N passed, N failed" last and exits non-zero
 * when a check failed.
 */
#ifndef VC_TEST_CHECK_H
#define VC_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "voicecode.h"

static int checks_passed;
static int checks_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            checks_passed++;                                                                       \
        } else {                                                                                   \
            checks_failed++;                                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

/* A string check that prints both sides when it fails; NULL never equals anything. */
#define CHECK_STR(actual, expected)                                                                \
    do {                                                                                           \
        const char *a_ = (actual);                                                                 \
        const char *e_ = (expected);                                                               \
        if (a_ != NULL && e_ != NULL && strcmp(a_, e_) == 0) {                                     \
            checks_passed++;                                                                       \
        } else {                                                                                   \
            checks_failed++;                                                                       \
            fprintf(stderr, "%s:%d: check failed: %s is \"%s\", expected \"%s\"\n", __FILE__,      \
                    __LINE__, #actual, a_ ? a_ : "(null)", e_ ? e_ : "(null)");                    \
        }                                                                                          \
    } while (0)

/* Checks that `text` contains `part`. */
#define CHECK_CONTAINS(text, part)                                                                 \
    do {                                                                                           \
        const char *t_ = (text);                                                                   \
        if (t_ != NULL && strstr(t_, (part)) != NULL) {                                            \
            checks_passed++;                                                                       \
        } else {                                                                                   \
            checks_failed++;                                                                       \
            fprintf(stderr, "%s:%d: check failed: \"%s\" does not contain \"%s\"\n", __FILE__,     \
                    __LINE__, t_ ? t_ : "(null)", (part));                                         \
        }                                                                                          \
    } while (0)

/* Checks a result code, printing the error's message when it differs. */
#define CHECK_RESULT(actual, expected, err)                                                        \
    do {                                                                                           \
        vc_result r_ = (actual);                                                                   \
        if (r_ == (expected)) {                                                                    \
            checks_passed++;                                                                       \
        } else {                                                                                   \
            checks_failed++;                                                                       \
            fprintf(stderr, "%s:%d: %s returned %s, expected %s: %s\n", __FILE__, __LINE__,        \
                    #actual, vc_result_name(r_), vc_result_name(expected),                         \
                    vc_error_message(err) ? vc_error_message(err) : "(no error object)");          \
        }                                                                                          \
    } while (0)

/* Stops the program: for set-up steps without which the rest cannot run. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: required: %s\n", __FILE__, __LINE__, #cond);                   \
            exit(2);                                                                               \
        }                                                                                          \
    } while (0)

/* Prints the closing line and gives the exit status. */
static inline int checks_report(const char *program) {
    printf("%s: %d passed, %d failed\n", program, checks_passed, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}

/* A client for `vendor`'s demo account on the simulator. */
static inline vc_client *sim_client(const vc_sim *sim, const char *vendor) {
    char *config = NULL;
    vc_client *client = NULL;
    REQUIRE(vc_sim_config_json(sim, vendor, &config, NULL) == VC_RESULT_OK);
    REQUIRE(vc_client_new(config, &client, NULL) == VC_RESULT_OK);
    vc_string_free(config);
    return client;
}

/* How many `operation` requests reached `vendor`. */
static inline size_t sim_count(const vc_sim *sim, const char *vendor, const char *operation) {
    size_t count = 0;
    REQUIRE(vc_sim_count(sim, vendor, operation, &count, NULL) == VC_RESULT_OK);
    return count;
}

#endif /* VC_TEST_CHECK_H */
