/*
 * Leaks one error object on purpose. The test script expects valgrind to FAIL on this
 * program: proof that the leak check (and its suppression file) would catch a real leak.
 */
#include <stddef.h>

#include "voicecode.h"

int main(void) {
    vc_error *err = NULL;
    vc_client *client = NULL;
    /* Malformed JSON: fails with an error object, which is never freed. */
    return vc_client_new("{", &client, &err) == VC_RESULT_INVALID_INPUT && err != NULL ? 0 : 2;
}
