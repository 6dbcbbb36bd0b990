/*
 * The README's C example: send a voice code with the channel config in the JSON file named on
 * the command line (e.g. one written by `voicecode-sim --write-configs DIR`).
 * Build: cc example.c $(pkg-config --cflags --libs voicecode)
 */
#include <stdio.h>
#include <stdlib.h>

#include <voicecode.h>

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    char *text = calloc(1, 65536);
    if (f == NULL || text == NULL || fread(text, 1, 65535, f) == 0) {
        exit(2);
    }
    fclose(f);
    return text;
}

int main(int argc, char **argv) {
    char *config = read_file(argc > 1 ? argv[1] : "ihuyi.json");
    vc_client *client = NULL;
    vc_error *err = NULL;
    char *receipt = NULL;

    if (vc_client_new(config, &client, &err) == VC_RESULT_OK &&
        vc_client_send(client, "{\"to\":\"+8613800138000\",\"code\":\"4821\"}", &receipt, &err) ==
            VC_RESULT_OK) {
        printf("accepted: %s\n", receipt);
    } else {
        fprintf(stderr, "%s (outcome %s)\n", vc_error_message(err),
                vc_outcome_name(vc_error_outcome(err)));
    }
    int status = err == NULL ? 0 : 1;
    vc_string_free(receipt);
    vc_error_free(err);
    vc_client_free(client);
    free(config);
    return status;
}
