/*
 * JNI glue for io.zkml.prover.NativeBridge, compiled by cgo into libzkml.so together with
 * the Go exports it calls (declared in _cgo_export.h). Every entry point converts Java
 * arguments to C (copies), calls one zkml_* function, converts the result, and on error
 * throws io.zkml.prover.NativeProverException(int code, String message). No C pointer
 * outlives a call.
 */
#if defined(__has_include)
#if !__has_include(<jni.h>)
#error "jni.h not found: build with CGO_CFLAGS=\"-I$JAVA_HOME/include -I$JAVA_HOME/include/linux\" (the Maven build of prover/ sets it)"
#endif
#endif
#include <jni.h>
#include <stdlib.h>
#include <string.h>
#include "_cgo_export.h"

#define EXCEPTION_CLASS "io/zkml/prover/NativeProverException"

static void throw_native(JNIEnv *env, jint code, const char *message) {
    if ((*env)->ExceptionCheck(env)) {
        return; /* keep the exception already pending (e.g. OutOfMemoryError) */
    }
    jclass cls = (*env)->FindClass(env, EXCEPTION_CLASS);
    if (cls == NULL) {
        return; /* NoClassDefFoundError pending */
    }
    jmethodID ctor = (*env)->GetMethodID(env, cls, "<init>", "(ILjava/lang/String;)V");
    if (ctor == NULL) {
        return;
    }
    jstring jmsg = (*env)->NewStringUTF(env, message != NULL ? message : "");
    if (jmsg == NULL) {
        return;
    }
    jobject ex = (*env)->NewObject(env, cls, ctor, code, jmsg);
    if (ex != NULL) {
        (*env)->Throw(env, (jthrowable) ex);
    }
}

/* Throws for a failed call and frees the message. Returns 1 if it threw. */
static int check(JNIEnv *env, int32_t rc, zkml_error *err) {
    if (rc == ZKML_OK) {
        return 0;
    }
    throw_native(env, rc, err->message != NULL ? err->message : "native call failed");
    if (err->message != NULL) {
        zkml_string_free(err->message);
        err->message = NULL;
    }
    return 1;
}

/* A malloc'd copy of a Java byte[] (NULL and *len = 0 for null or empty). */
static uint8_t *copy_bytes(JNIEnv *env, jbyteArray arr, int64_t *len) {
    *len = 0;
    if (arr == NULL) {
        return NULL;
    }
    jsize n = (*env)->GetArrayLength(env, arr);
    if (n <= 0) {
        return NULL;
    }
    uint8_t *buf = (uint8_t *) malloc((size_t) n);
    if (buf == NULL) {
        throw_native(env, ZKML_INTERNAL, "out of memory copying a byte array");
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, arr, 0, n, (jbyte *) buf);
    *len = n;
    return buf;
}

/*
 * A Java string from a library-owned C string (standard UTF-8, as Go writes it), which is freed.
 * Decoded to UTF-16 here: NewStringUTF takes *modified* UTF-8, which writes a character outside
 * the Basic Multilingual Plane as two 3-byte surrogates, so the 4-byte form Go writes (gnark's
 * PLONK Solidity verifier has one in a comment, U+1D53D) would come out garbled. An invalid
 * sequence becomes U+FFFD.
 */
static jstring take_string(JNIEnv *env, char *s) {
    const unsigned char *p = (const unsigned char *) (s != NULL ? s : "");
    size_t n = strlen((const char *) p);
    jchar *buf = (jchar *) malloc((n + 1) * sizeof(jchar));
    if (buf == NULL) {
        zkml_string_free(s);
        throw_native(env, ZKML_INTERNAL, "out of memory converting a string");
        return NULL;
    }
    size_t i = 0, k = 0;
    while (i < n) {
        unsigned char c = p[i];
        uint32_t cp;
        size_t len;
        if (c < 0x80) { cp = c; len = 1; }
        else if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; len = 2; }
        else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; len = 3; }
        else if ((c & 0xF8) == 0xF0) { cp = c & 0x07; len = 4; }
        else { buf[k++] = 0xFFFD; i++; continue; }
        if (i + len > n) { buf[k++] = 0xFFFD; break; }
        int ok = 1;
        for (size_t j = 1; j < len; j++) {
            if ((p[i + j] & 0xC0) != 0x80) { ok = 0; break; }
            cp = (cp << 6) | (p[i + j] & 0x3F);
        }
        if (!ok) { buf[k++] = 0xFFFD; i++; continue; }
        i += len;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            buf[k++] = (jchar) (0xD800 + (cp >> 10));
            buf[k++] = (jchar) (0xDC00 + (cp & 0x3FF));
        } else {
            buf[k++] = (jchar) cp;
        }
    }
    jstring out = (*env)->NewString(env, buf, (jsize) k);
    free(buf);
    zkml_string_free(s);
    return out;
}

#define UTF(env, js) ((js) != NULL ? (*(env))->GetStringUTFChars((env), (js), NULL) : NULL)
#define RELEASE(env, js, cs) do { if ((cs) != NULL) (*(env))->ReleaseStringUTFChars((env), (js), (cs)); } while (0)

JNIEXPORT jstring JNICALL Java_io_zkml_prover_NativeBridge_versions(JNIEnv *env, jclass cls) {
    zkml_error err = {0, NULL};
    char *out = NULL;
    if (check(env, zkml_versions(&out, &err), &err)) return NULL;
    return take_string(env, out);
}

JNIEXPORT jlong JNICALL Java_io_zkml_prover_NativeBridge_compile(JNIEnv *env, jclass cls, jbyteArray ir) {
    zkml_error err = {0, NULL};
    int64_t len;
    uint8_t *buf = copy_bytes(env, ir, &len);
    if ((*env)->ExceptionCheck(env)) return 0;
    uint64_t h = 0;
    int32_t rc = zkml_compile(buf, len, &h, &err);
    free(buf);
    if (check(env, rc, &err)) return 0;
    return (jlong) h;
}

JNIEXPORT jlong JNICALL Java_io_zkml_prover_NativeBridge_loadConstraintSystem(JNIEnv *env, jclass cls, jbyteArray ir, jstring path) {
    zkml_error err = {0, NULL};
    int64_t len;
    uint8_t *buf = copy_bytes(env, ir, &len);
    if ((*env)->ExceptionCheck(env)) return 0;
    const char *p = UTF(env, path);
    uint64_t h = 0;
    int32_t rc = zkml_cs_load(buf, len, (char *) p, &h, &err);
    RELEASE(env, path, p);
    free(buf);
    if (check(env, rc, &err)) return 0;
    return (jlong) h;
}

JNIEXPORT jstring JNICALL Java_io_zkml_prover_NativeBridge_constraintSystemInfo(JNIEnv *env, jclass cls, jlong cs) {
    zkml_error err = {0, NULL};
    char *out = NULL;
    if (check(env, zkml_cs_info((uint64_t) cs, &out, &err), &err)) return NULL;
    return take_string(env, out);
}

JNIEXPORT void JNICALL Java_io_zkml_prover_NativeBridge_writeConstraintSystem(JNIEnv *env, jclass cls, jlong cs, jstring path) {
    zkml_error err = {0, NULL};
    const char *p = UTF(env, path);
    int32_t rc = zkml_cs_write((uint64_t) cs, (char *) p, &err);
    RELEASE(env, path, p);
    check(env, rc, &err);
}

JNIEXPORT jstring JNICALL Java_io_zkml_prover_NativeBridge_setup(JNIEnv *env, jclass cls, jlong cs, jstring pkPath, jstring vkPath) {
    zkml_error err = {0, NULL};
    const char *pk = UTF(env, pkPath);
    /* No JNI call with an exception pending (an OutOfMemoryError from the first copy). */
    const char *vk = (*env)->ExceptionCheck(env) ? NULL : UTF(env, vkPath);
    char *out = NULL;
    int32_t rc = zkml_setup((uint64_t) cs, (char *) pk, (char *) vk, &out, &err);
    RELEASE(env, pkPath, pk);
    RELEASE(env, vkPath, vk);
    if (check(env, rc, &err)) return NULL;
    return take_string(env, out);
}

JNIEXPORT jlong JNICALL Java_io_zkml_prover_NativeBridge_loadProvingKey(JNIEnv *env, jclass cls, jstring path) {
    zkml_error err = {0, NULL};
    const char *p = UTF(env, path);
    uint64_t h = 0;
    int32_t rc = zkml_pk_load((char *) p, &h, &err);
    RELEASE(env, path, p);
    if (check(env, rc, &err)) return 0;
    return (jlong) h;
}

JNIEXPORT jlong JNICALL Java_io_zkml_prover_NativeBridge_loadVerifyingKey(JNIEnv *env, jclass cls, jstring path) {
    zkml_error err = {0, NULL};
    const char *p = UTF(env, path);
    uint64_t h = 0;
    int32_t rc = zkml_vk_load((char *) p, &h, &err);
    RELEASE(env, path, p);
    if (check(env, rc, &err)) return 0;
    return (jlong) h;
}

JNIEXPORT jstring JNICALL Java_io_zkml_prover_NativeBridge_prove(JNIEnv *env, jclass cls, jlong cs, jlong pk, jstring inputs) {
    zkml_error err = {0, NULL};
    const char *in = UTF(env, inputs);
    char *out = NULL;
    int32_t rc = zkml_prove((uint64_t) cs, (uint64_t) pk, (char *) in, &out, &err);
    RELEASE(env, inputs, in);
    if (check(env, rc, &err)) return NULL;
    return take_string(env, out);
}

JNIEXPORT jboolean JNICALL Java_io_zkml_prover_NativeBridge_verify(JNIEnv *env, jclass cls, jlong vk, jbyteArray proof, jstring publicInputs) {
    zkml_error err = {0, NULL};
    int64_t len;
    uint8_t *buf = copy_bytes(env, proof, &len);
    if ((*env)->ExceptionCheck(env)) return JNI_FALSE;
    const char *pub = UTF(env, publicInputs);
    int32_t valid = 0;
    int32_t rc = zkml_verify((uint64_t) vk, buf, len, (char *) pub, &valid, &err);
    RELEASE(env, publicInputs, pub);
    free(buf);
    if (check(env, rc, &err)) return JNI_FALSE;
    return valid ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jstring JNICALL Java_io_zkml_prover_NativeBridge_exportSolidity(JNIEnv *env, jclass cls, jlong vk) {
    zkml_error err = {0, NULL};
    char *out = NULL;
    if (check(env, zkml_export_solidity((uint64_t) vk, &out, &err), &err)) return NULL;
    return take_string(env, out);
}

JNIEXPORT jstring JNICALL Java_io_zkml_prover_NativeBridge_verifyingKeyJson(JNIEnv *env, jclass cls, jlong vk) {
    zkml_error err = {0, NULL};
    char *out = NULL;
    if (check(env, zkml_vk_export_json((uint64_t) vk, &out, &err), &err)) return NULL;
    return take_string(env, out);
}

JNIEXPORT void JNICALL Java_io_zkml_prover_NativeBridge_free(JNIEnv *env, jclass cls, jlong h) {
    zkml_error err = {0, NULL};
    check(env, zkml_handle_free((uint64_t) h, &err), &err);
}

/* The proving-system layer (docs/native-abi.md, "Proving systems"). */

JNIEXPORT jlong JNICALL Java_io_zkml_prover_NativeBridge_compileFor(JNIEnv *env, jclass cls, jbyteArray ir, jstring system) {
    zkml_error err = {0, NULL};
    int64_t len;
    uint8_t *buf = copy_bytes(env, ir, &len);
    if ((*env)->ExceptionCheck(env)) return 0;
    const char *sys = UTF(env, system);
    uint64_t h = 0;
    int32_t rc = (*env)->ExceptionCheck(env) ? ZKML_INTERNAL : zkml_compile_for(buf, len, (char *) sys, &h, &err);
    RELEASE(env, system, sys);
    free(buf);
    if ((*env)->ExceptionCheck(env)) return 0;
    if (check(env, rc, &err)) return 0;
    return (jlong) h;
}

JNIEXPORT jlong JNICALL Java_io_zkml_prover_NativeBridge_loadConstraintSystemFor(JNIEnv *env, jclass cls, jbyteArray ir, jstring system, jstring path) {
    zkml_error err = {0, NULL};
    int64_t len;
    uint8_t *buf = copy_bytes(env, ir, &len);
    if ((*env)->ExceptionCheck(env)) return 0;
    const char *sys = UTF(env, system);
    const char *p = (*env)->ExceptionCheck(env) ? NULL : UTF(env, path);
    uint64_t h = 0;
    int32_t rc = (*env)->ExceptionCheck(env) ? ZKML_INTERNAL : zkml_cs_load_for(buf, len, (char *) sys, (char *) p, &h, &err);
    RELEASE(env, system, sys);
    RELEASE(env, path, p);
    free(buf);
    if ((*env)->ExceptionCheck(env)) return 0;
    if (check(env, rc, &err)) return 0;
    return (jlong) h;
}

JNIEXPORT jstring JNICALL Java_io_zkml_prover_NativeBridge_setupFor(JNIEnv *env, jclass cls, jlong cs, jstring options, jstring pkPath, jstring vkPath) {
    zkml_error err = {0, NULL};
    const char *opt = UTF(env, options);
    const char *pk = (*env)->ExceptionCheck(env) ? NULL : UTF(env, pkPath);
    const char *vk = (*env)->ExceptionCheck(env) ? NULL : UTF(env, vkPath);
    char *out = NULL;
    int32_t rc = (*env)->ExceptionCheck(env) ? ZKML_INTERNAL
        : zkml_setup_for((uint64_t) cs, (char *) opt, (char *) pk, (char *) vk, &out, &err);
    RELEASE(env, options, opt);
    RELEASE(env, pkPath, pk);
    RELEASE(env, vkPath, vk);
    if ((*env)->ExceptionCheck(env)) return NULL;
    if (check(env, rc, &err)) return NULL;
    return take_string(env, out);
}

typedef int32_t (*key_loader)(char *, char *, char *, uint64_t *, zkml_error *);

static jlong load_key_for(JNIEnv *env, key_loader load, jstring path, jstring system, jstring circuit) {
    zkml_error err = {0, NULL};
    const char *p = UTF(env, path);
    const char *sys = (*env)->ExceptionCheck(env) ? NULL : UTF(env, system);
    const char *c = (*env)->ExceptionCheck(env) ? NULL : UTF(env, circuit);
    uint64_t h = 0;
    int32_t rc = (*env)->ExceptionCheck(env) ? ZKML_INTERNAL : load((char *) p, (char *) sys, (char *) c, &h, &err);
    RELEASE(env, path, p);
    RELEASE(env, system, sys);
    RELEASE(env, circuit, c);
    if ((*env)->ExceptionCheck(env)) return 0;
    if (check(env, rc, &err)) return 0;
    return (jlong) h;
}

JNIEXPORT jlong JNICALL Java_io_zkml_prover_NativeBridge_loadProvingKeyFor(JNIEnv *env, jclass cls, jstring path, jstring system, jstring circuit) {
    return load_key_for(env, zkml_pk_load_for, path, system, circuit);
}

JNIEXPORT jlong JNICALL Java_io_zkml_prover_NativeBridge_loadVerifyingKeyFor(JNIEnv *env, jclass cls, jstring path, jstring system, jstring circuit) {
    return load_key_for(env, zkml_vk_load_for, path, system, circuit);
}

JNIEXPORT jstring JNICALL Java_io_zkml_prover_NativeBridge_keyInfo(JNIEnv *env, jclass cls, jlong h) {
    zkml_error err = {0, NULL};
    char *out = NULL;
    if (check(env, zkml_key_info((uint64_t) h, &out, &err), &err)) return NULL;
    return take_string(env, out);
}

JNIEXPORT jstring JNICALL Java_io_zkml_prover_NativeBridge_ptauInfo(JNIEnv *env, jclass cls, jstring path, jlong minG1Powers) {
    zkml_error err = {0, NULL};
    const char *p = UTF(env, path);
    char *out = NULL;
    int32_t rc = (*env)->ExceptionCheck(env) ? ZKML_INTERNAL : zkml_ptau_info((char *) p, (int64_t) minG1Powers, &out, &err);
    RELEASE(env, path, p);
    if ((*env)->ExceptionCheck(env)) return NULL;
    if (check(env, rc, &err)) return NULL;
    return take_string(env, out);
}

/* The Groth16 ceremony (docs/native-abi.md, "Ceremony"). */

JNIEXPORT jstring JNICALL Java_io_zkml_prover_NativeBridge_ceremonyStart(JNIEnv *env, jclass cls, jlong cs, jstring ptauPath, jstring phase1Path, jstring statePath) {
    zkml_error err = {0, NULL};
    const char *pt = UTF(env, ptauPath);
    const char *p1 = (*env)->ExceptionCheck(env) ? NULL : UTF(env, phase1Path);
    const char *st = (*env)->ExceptionCheck(env) ? NULL : UTF(env, statePath);
    char *out = NULL;
    int32_t rc = (*env)->ExceptionCheck(env) ? ZKML_INTERNAL
        : zkml_ceremony_start((uint64_t) cs, (char *) pt, (char *) p1, (char *) st, &out, &err);
    RELEASE(env, ptauPath, pt);
    RELEASE(env, phase1Path, p1);
    RELEASE(env, statePath, st);
    if ((*env)->ExceptionCheck(env)) return NULL;
    if (check(env, rc, &err)) return NULL;
    return take_string(env, out);
}

JNIEXPORT jstring JNICALL Java_io_zkml_prover_NativeBridge_ceremonyContribute(JNIEnv *env, jclass cls, jstring inPath, jstring outPath) {
    zkml_error err = {0, NULL};
    const char *in = UTF(env, inPath);
    const char *o = (*env)->ExceptionCheck(env) ? NULL : UTF(env, outPath);
    char *out = NULL;
    int32_t rc = (*env)->ExceptionCheck(env) ? ZKML_INTERNAL : zkml_ceremony_contribute((char *) in, (char *) o, &out, &err);
    RELEASE(env, inPath, in);
    RELEASE(env, outPath, o);
    if ((*env)->ExceptionCheck(env)) return NULL;
    if (check(env, rc, &err)) return NULL;
    return take_string(env, out);
}

JNIEXPORT jstring JNICALL Java_io_zkml_prover_NativeBridge_ceremonyVerify(JNIEnv *env, jclass cls, jlong cs, jstring prevPath, jstring nextPath) {
    zkml_error err = {0, NULL};
    const char *p = UTF(env, prevPath);
    const char *n = (*env)->ExceptionCheck(env) ? NULL : UTF(env, nextPath);
    char *out = NULL;
    int32_t rc = (*env)->ExceptionCheck(env) ? ZKML_INTERNAL : zkml_ceremony_verify((uint64_t) cs, (char *) p, (char *) n, &out, &err);
    RELEASE(env, prevPath, p);
    RELEASE(env, nextPath, n);
    if ((*env)->ExceptionCheck(env)) return NULL;
    if (check(env, rc, &err)) return NULL;
    return take_string(env, out);
}

JNIEXPORT jstring JNICALL Java_io_zkml_prover_NativeBridge_ceremonyFinalize(JNIEnv *env, jclass cls, jlong cs, jstring phase1Path, jstring contributionsJson, jstring beaconHex, jstring pkPath, jstring vkPath) {
    zkml_error err = {0, NULL};
    const char *p1 = UTF(env, phase1Path);
    const char *cj = (*env)->ExceptionCheck(env) ? NULL : UTF(env, contributionsJson);
    const char *bh = (*env)->ExceptionCheck(env) ? NULL : UTF(env, beaconHex);
    const char *pk = (*env)->ExceptionCheck(env) ? NULL : UTF(env, pkPath);
    const char *vk = (*env)->ExceptionCheck(env) ? NULL : UTF(env, vkPath);
    char *out = NULL;
    int32_t rc = (*env)->ExceptionCheck(env) ? ZKML_INTERNAL
        : zkml_ceremony_finalize((uint64_t) cs, (char *) p1, (char *) cj, (char *) bh, (char *) pk, (char *) vk, &out, &err);
    RELEASE(env, phase1Path, p1);
    RELEASE(env, contributionsJson, cj);
    RELEASE(env, beaconHex, bh);
    RELEASE(env, pkPath, pk);
    RELEASE(env, vkPath, vk);
    if ((*env)->ExceptionCheck(env)) return NULL;
    if (check(env, rc, &err)) return NULL;
    return take_string(env, out);
}
