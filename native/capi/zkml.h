/*
 * zkml.h: the C ABI of libzkml.so (Groth16 over BN254 for zkml IR circuits).
 * Full contract: docs/native-abi.md. ABI version 1.
 *
 * Conventions, for every function below:
 *  - Returns the error code (ZKML_OK = 0 on success) and, on failure, fills *err with the
 *    same code and a malloc'd, NUL-terminated, ASCII message that the caller frees with
 *    zkml_string_free. On success err->code = 0 and err->message = NULL. err may be NULL
 *    (the message is then dropped).
 *  - Input pointers are borrowed for the duration of the call only: the library copies what
 *    it needs and keeps no pointer.
 *  - Output strings (char **) are malloc'd by the library and owned by the caller, who frees
 *    them with zkml_string_free. They are written only on success.
 *  - Handles (uint64_t) are never 0; they are freed with zkml_handle_free.
 *  - No Go panic crosses the boundary: it is recovered and reported as ZKML_INTERNAL.
 *  - Every function may be called from any thread, concurrently (see docs/native-abi.md).
 */
#ifndef ZKML_H
#define ZKML_H

#include <stdint.h>

#define ZKML_ABI_VERSION 1

#define ZKML_OK 0
#define ZKML_INVALID_ARGUMENT 1
#define ZKML_INVALID_IR 2
#define ZKML_UNSATISFIED 3
#define ZKML_MALFORMED_PROOF 4
#define ZKML_IO 5
#define ZKML_VERSION_MISMATCH 6
#define ZKML_UNKNOWN_HANDLE 7
#define ZKML_INTERNAL 99

typedef struct zkml_error {
    int32_t code;
    char *message;
} zkml_error;

#endif
