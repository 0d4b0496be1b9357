// Command capi is libzkml.so: the C ABI (zkml.h) and the JNI glue (jni.c) over package zk.
// Build it with
//
//	CGO_CFLAGS="-I$JAVA_HOME/include -I$JAVA_HOME/include/linux" \
//	    go build -buildmode=c-shared -o libzkml.so ./capi
//
// Every export recovers panics (ZKML_INTERNAL), copies its inputs, and returns
// malloc'd outputs that the caller frees with zkml_string_free. See docs/native-abi.md.
package main

/*
#include <stdlib.h>
#include "zkml.h"
*/
import "C"

import (
	"unsafe"

	"github.com/zkml-service/zkml/native/zk"
)

func main() {}

// report writes an outcome into *cerr and returns its code.
func report(cerr *C.zkml_error, o outcome) C.int32_t {
	if cerr != nil {
		cerr.code = C.int32_t(o.code)
		cerr.message = nil
		if o.code != zk.OK {
			cerr.message = C.CString(o.msg)
		}
	}
	return C.int32_t(o.code)
}

func goBytes(p *C.uint8_t, n C.int64_t, what string) ([]byte, error) {
	if p == nil || n <= 0 {
		return nil, zk.Errorf(zk.InvalidArgument, "%s is empty", what)
	}
	if n > 1<<31-1 {
		return nil, zk.Errorf(zk.InvalidArgument, "%s is too large (%d bytes)", what, int64(n))
	}
	return C.GoBytes(unsafe.Pointer(p), C.int(n)), nil
}

func goString(p *C.char, what string) (string, error) {
	if p == nil {
		return "", zk.Errorf(zk.InvalidArgument, "%s is NULL", what)
	}
	return C.GoString(p), nil
}

func needOut(p unsafe.Pointer, what string) error {
	if p == nil {
		return zk.Errorf(zk.InvalidArgument, "output pointer %s is NULL", what)
	}
	return nil
}

// putString is the body of an export with a string result: it checks the output pointer
// first, runs f, and on success stores a malloc'd copy of its result in *out (the caller
// frees it with zkml_string_free). Nothing is stored on failure.
func putString(out **C.char, what string, f func() (string, error)) error {
	if err := needOut(unsafe.Pointer(out), what); err != nil {
		return err
	}
	s, err := f()
	if err != nil {
		return err
	}
	*out = C.CString(s)
	return nil
}

// putHandle is putString for an export with a handle result.
func putHandle(out *C.uint64_t, what string, f func() (uint64, error)) error {
	if err := needOut(unsafe.Pointer(out), what); err != nil {
		return err
	}
	h, err := f()
	if err != nil {
		return err
	}
	*out = C.uint64_t(h)
	return nil
}

//export zkml_abi_version
func zkml_abi_version() C.int32_t { return C.int32_t(zk.ABIVersion) }

//export zkml_string_free
func zkml_string_free(s *C.char) { C.free(unsafe.Pointer(s)) }

//export zkml_versions
func zkml_versions(outJSON **C.char, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putString(outJSON, "out_json", apiVersions)
	}))
}

//export zkml_compile
func zkml_compile(irp *C.uint8_t, irLen C.int64_t, outCS *C.uint64_t, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putHandle(outCS, "out_cs", func() (uint64, error) {
			irJSON, err := goBytes(irp, irLen, "IR document")
			if err != nil {
				return 0, err
			}
			return apiCompile(irJSON)
		})
	}))
}

//export zkml_cs_load
func zkml_cs_load(irp *C.uint8_t, irLen C.int64_t, path *C.char, outCS *C.uint64_t, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putHandle(outCS, "out_cs", func() (uint64, error) {
			irJSON, err := goBytes(irp, irLen, "IR document")
			if err != nil {
				return 0, err
			}
			p, err := goString(path, "path")
			if err != nil {
				return 0, err
			}
			return apiLoadCS(irJSON, p)
		})
	}))
}

//export zkml_cs_info
func zkml_cs_info(cs C.uint64_t, outJSON **C.char, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putString(outJSON, "out_json", func() (string, error) { return apiCSInfo(uint64(cs)) })
	}))
}

//export zkml_cs_write
func zkml_cs_write(cs C.uint64_t, path *C.char, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		p, err := goString(path, "path")
		if err != nil {
			return err
		}
		return apiCSWrite(uint64(cs), p)
	}))
}

//export zkml_setup
func zkml_setup(cs C.uint64_t, pkPath, vkPath *C.char, outJSON **C.char, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putString(outJSON, "out_json", func() (string, error) {
			pk, err := goString(pkPath, "pk_path")
			if err != nil {
				return "", err
			}
			vk, err := goString(vkPath, "vk_path")
			if err != nil {
				return "", err
			}
			return apiSetup(uint64(cs), pk, vk)
		})
	}))
}

//export zkml_pk_load
func zkml_pk_load(path *C.char, outPK *C.uint64_t, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putHandle(outPK, "out_pk", func() (uint64, error) {
			p, err := goString(path, "path")
			if err != nil {
				return 0, err
			}
			return apiLoadPK(p)
		})
	}))
}

//export zkml_vk_load
func zkml_vk_load(path *C.char, outVK *C.uint64_t, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putHandle(outVK, "out_vk", func() (uint64, error) {
			p, err := goString(path, "path")
			if err != nil {
				return 0, err
			}
			return apiLoadVK(p)
		})
	}))
}

//export zkml_prove
func zkml_prove(cs, pk C.uint64_t, inputsJSON *C.char, outJSON **C.char, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putString(outJSON, "out_json", func() (string, error) {
			in, err := goString(inputsJSON, "inputs_json")
			if err != nil {
				return "", err
			}
			return apiProve(uint64(cs), uint64(pk), in)
		})
	}))
}

//export zkml_verify
func zkml_verify(vk C.uint64_t, proof *C.uint8_t, proofLen C.int64_t, publicJSON *C.char, outValid *C.int32_t, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		if err := needOut(unsafe.Pointer(outValid), "out_valid"); err != nil {
			return err
		}
		var pb []byte
		if proof != nil && proofLen > 0 && proofLen <= 1<<20 {
			pb = C.GoBytes(unsafe.Pointer(proof), C.int(proofLen))
		} else if proofLen != 0 {
			return zk.Errorf(zk.MalformedProof, "a proof has %d bytes, got %d", zk.ProofSize, int64(proofLen))
		}
		pub, err := goString(publicJSON, "public_inputs_json")
		if err != nil {
			return err
		}
		ok, err := apiVerify(uint64(vk), pb, pub)
		if err != nil {
			return err
		}
		*outValid = 0
		if ok {
			*outValid = 1
		}
		return nil
	}))
}

//export zkml_export_solidity
func zkml_export_solidity(vk C.uint64_t, outSource **C.char, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putString(outSource, "out_source", func() (string, error) { return apiExportSolidity(uint64(vk)) })
	}))
}

//export zkml_vk_export_json
func zkml_vk_export_json(vk C.uint64_t, outJSON **C.char, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putString(outJSON, "out_json", func() (string, error) { return apiVKExportJSON(uint64(vk)) })
	}))
}

//export zkml_handle_free
func zkml_handle_free(h C.uint64_t, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error { return apiFree(uint64(h)) }))
}

// optString is goString for an optional argument: NULL is "".
func optString(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

//export zkml_compile_for
func zkml_compile_for(irp *C.uint8_t, irLen C.int64_t, system *C.char, outCS *C.uint64_t, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putHandle(outCS, "out_cs", func() (uint64, error) {
			irJSON, err := goBytes(irp, irLen, "IR document")
			if err != nil {
				return 0, err
			}
			sys, err := goString(system, "system")
			if err != nil {
				return 0, err
			}
			return apiCompileFor(irJSON, sys)
		})
	}))
}

//export zkml_cs_load_for
func zkml_cs_load_for(irp *C.uint8_t, irLen C.int64_t, system, path *C.char, outCS *C.uint64_t, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putHandle(outCS, "out_cs", func() (uint64, error) {
			irJSON, err := goBytes(irp, irLen, "IR document")
			if err != nil {
				return 0, err
			}
			sys, err := goString(system, "system")
			if err != nil {
				return 0, err
			}
			p, err := goString(path, "path")
			if err != nil {
				return 0, err
			}
			return apiLoadCSFor(irJSON, sys, p)
		})
	}))
}

//export zkml_setup_for
func zkml_setup_for(cs C.uint64_t, optionsJSON, pkPath, vkPath *C.char, outJSON **C.char, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putString(outJSON, "out_json", func() (string, error) {
			pk, err := goString(pkPath, "pk_path")
			if err != nil {
				return "", err
			}
			vk, err := goString(vkPath, "vk_path")
			if err != nil {
				return "", err
			}
			return apiSetupFor(uint64(cs), optString(optionsJSON), pk, vk)
		})
	}))
}

//export zkml_pk_load_for
func zkml_pk_load_for(path, system, circuitSHA256 *C.char, outPK *C.uint64_t, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putHandle(outPK, "out_pk", func() (uint64, error) {
			p, err := goString(path, "path")
			if err != nil {
				return 0, err
			}
			sys, err := goString(system, "system")
			if err != nil {
				return 0, err
			}
			return apiLoadPKFor(p, sys, optString(circuitSHA256))
		})
	}))
}

//export zkml_vk_load_for
func zkml_vk_load_for(path, system, circuitSHA256 *C.char, outVK *C.uint64_t, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putHandle(outVK, "out_vk", func() (uint64, error) {
			p, err := goString(path, "path")
			if err != nil {
				return 0, err
			}
			sys, err := goString(system, "system")
			if err != nil {
				return 0, err
			}
			return apiLoadVKFor(p, sys, optString(circuitSHA256))
		})
	}))
}

//export zkml_key_info
func zkml_key_info(h C.uint64_t, outJSON **C.char, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putString(outJSON, "out_json", func() (string, error) { return apiKeyInfo(uint64(h)) })
	}))
}

//export zkml_ptau_info
func zkml_ptau_info(path *C.char, minG1Powers C.int64_t, outJSON **C.char, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putString(outJSON, "out_json", func() (string, error) {
			p, err := goString(path, "path")
			if err != nil {
				return "", err
			}
			return apiPtauInfo(p, int64(minG1Powers))
		})
	}))
}

//export zkml_ceremony_start
func zkml_ceremony_start(cs C.uint64_t, ptauPath, phase1Path, statePath *C.char, outJSON **C.char, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putString(outJSON, "out_json", func() (string, error) {
			pt, err := goString(ptauPath, "ptau_path")
			if err != nil {
				return "", err
			}
			p1, err := goString(phase1Path, "phase1_path")
			if err != nil {
				return "", err
			}
			st, err := goString(statePath, "state_path")
			if err != nil {
				return "", err
			}
			return apiCeremonyStart(uint64(cs), pt, p1, st)
		})
	}))
}

//export zkml_ceremony_contribute
func zkml_ceremony_contribute(inPath, outPath *C.char, outJSON **C.char, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putString(outJSON, "out_json", func() (string, error) {
			in, err := goString(inPath, "in_path")
			if err != nil {
				return "", err
			}
			out, err := goString(outPath, "out_path")
			if err != nil {
				return "", err
			}
			return apiCeremonyContribute(in, out)
		})
	}))
}

//export zkml_ceremony_verify
func zkml_ceremony_verify(cs C.uint64_t, prevPath, nextPath *C.char, outJSON **C.char, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putString(outJSON, "out_json", func() (string, error) {
			prev, err := goString(prevPath, "prev_path")
			if err != nil {
				return "", err
			}
			next, err := goString(nextPath, "next_path")
			if err != nil {
				return "", err
			}
			return apiCeremonyVerify(uint64(cs), prev, next)
		})
	}))
}

//export zkml_ceremony_finalize
func zkml_ceremony_finalize(cs C.uint64_t, phase1Path, contributionsJSON, beaconHex, pkPath, vkPath *C.char, outJSON **C.char, cerr *C.zkml_error) C.int32_t {
	return report(cerr, run(func() error {
		return putString(outJSON, "out_json", func() (string, error) {
			args := make([]string, 5)
			for i, a := range []struct {
				p    *C.char
				name string
			}{{phase1Path, "phase1_path"}, {contributionsJSON, "contributions_json"}, {beaconHex, "beacon_hex"}, {pkPath, "pk_path"}, {vkPath, "vk_path"}} {
				s, err := goString(a.p, a.name)
				if err != nil {
					return "", err
				}
				args[i] = s
			}
			return apiCeremonyFinalize(uint64(cs), args[0], args[1], args[2], args[3], args[4])
		})
	}))
}
