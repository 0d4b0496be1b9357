package zk

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/zkml-service/zkml/native/ir"
)

// Artifact files (constraint system, proving key, verifying key) start with a header:
//
//	magic   8 bytes  "ZKMLART1"
//	length  4 bytes  big-endian uint32 n, the length of the JSON header (at most 4096)
//	header  n bytes  JSON: {"kind":…,"curve":"bn254","gnark":"v0.16.3","abi":1,
//	                        "circuitSha256":…,"payloadSha256":…,"payloadSize":…}
//	payload          gnark's own binary encoding of the object
//
// Reading checks the magic (else IO: "not a zkml artifact"), the kind (else
// InvalidArgument), curve, gnark version and ABI version (else VersionMismatch), and the
// payload's size and SHA-256 (else IO: corrupt).

// Magic starts every artifact file.
const Magic = "ZKMLART1"

const maxHeaderLen = 4096

// Artifact kinds of Groth16 (PLONK's: KindSparseR1CS, KindPlonkProvingKey, KindPlonkVerifyingKey).
const (
	KindR1CS         = "r1cs"
	KindProvingKey   = "groth16-proving-key"
	KindVerifyingKey = "groth16-verifying-key"
)

// Header describes an artifact file.
type Header struct {
	Kind          string `json:"kind"`
	Curve         string `json:"curve"`
	Gnark         string `json:"gnark"`
	ABI           int    `json:"abi"`
	CircuitSHA256 string `json:"circuitSha256"`
	PayloadSHA256 string `json:"payloadSha256"`
	PayloadSize   int64  `json:"payloadSize"`
	// Trust, SRSSHA256, SRSPower, SRSSize: the setup of a PLONK key (SetupInfo). Absent from
	// Groth16 headers, which stay v0.1's bytes: a Groth16 key's setup is single-party.
	Trust     string `json:"trust,omitempty"`
	SRSSHA256 string `json:"srsSha256,omitempty"`
	SRSPower  int    `json:"srsPower,omitempty"`
	SRSSize   int    `json:"srsSize,omitempty"`
	// RangeCheck is "lookup" in the key headers of a circuit whose document says
	// "range_check": "lookup" (absent otherwise): only such a Groth16 key may have a BSB22
	// commitment, and the loader refuses a key with one whose header does not say so.
	RangeCheck string `json:"rangeCheck,omitempty"`
}

func newHeader(kind, circuitSHA256 string) Header {
	return Header{Kind: kind, Curve: Curve, Gnark: GnarkVersion(), ABI: ABIVersion, CircuitSHA256: circuitSHA256}
}

// newKeyHeader is the header of a key file: Groth16's as before, PLONK's with its setup.
func newKeyHeader(kind, circuitSHA256 string, info SetupInfo, d *ir.IR) Header {
	h := newHeader(kind, circuitSHA256)
	if d != nil && d.Lookup() {
		h.RangeCheck = ir.RangeCheckLookup
	}
	if info.Trust != TrustSingleParty {
		h.Trust, h.SRSSHA256, h.SRSPower, h.SRSSize = info.Trust, info.SRSSHA256, info.SRSPower, info.SRSSize
	}
	return h
}

// rangeCheck is the range checks a key header records ("bits" when absent).
func (h Header) rangeCheck() string {
	if h.RangeCheck == ir.RangeCheckLookup {
		return ir.RangeCheckLookup
	}
	return ir.RangeCheckBits
}

// setupInfo is the setup a key header records.
func (h Header) setupInfo(system System) SetupInfo {
	if system == Groth16 && h.Trust == "" {
		return SetupInfo{Trust: TrustSingleParty}
	}
	return SetupInfo{Trust: h.Trust, SRSSHA256: h.SRSSHA256, SRSPower: h.SRSPower, SRSSize: h.SRSSize}
}

// writeArtifact serializes payload, then writes header + payload to path atomically (a
// temporary file in the same directory, renamed). It returns the SHA-256 of the whole file.
func writeArtifact(path string, h Header, payload io.WriterTo) (string, error) {
	if path == "" {
		return "", Errorf(InvalidArgument, "empty file path")
	}
	var body bytes.Buffer
	if _, err := payload.WriteTo(&body); err != nil {
		return "", Errorf(Internal, "serialize %s: %v", h.Kind, err)
	}
	sum := sha256.Sum256(body.Bytes())
	h.PayloadSHA256 = hex.EncodeToString(sum[:])
	h.PayloadSize = int64(body.Len())
	hj, err := json.Marshal(h)
	if err != nil {
		return "", Errorf(Internal, "encode header: %v", err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", Errorf(IO, "create %s: %v", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	fileHash := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(tmp, fileHash), 1<<20)
	var lenBuf [4]byte
	binary.BigEndian.PutUint32(lenBuf[:], uint32(len(hj)))
	for _, part := range [][]byte{[]byte(Magic), lenBuf[:], hj, body.Bytes()} {
		if _, err := w.Write(part); err != nil {
			tmp.Close()
			return "", Errorf(IO, "write %s: %v", path, err)
		}
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return "", Errorf(IO, "write %s: %v", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", Errorf(IO, "sync %s: %v", path, err)
	}
	if err := tmp.Close(); err != nil {
		return "", Errorf(IO, "close %s: %v", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", Errorf(IO, "rename to %s: %v", path, err)
	}
	return hex.EncodeToString(fileHash.Sum(nil)), nil
}

// readArtifact reads an artifact file, checks its header against the expected kind and the
// versions of this build, and returns the header and the payload.
func readArtifact(path, kind string) (Header, []byte, error) {
	var h Header
	if path == "" {
		return h, nil, Errorf(InvalidArgument, "empty file path")
	}
	f, err := os.Open(path)
	if err != nil {
		return h, nil, Errorf(IO, "open %s: %v", path, err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	h, err = ReadHeader(r)
	if err != nil {
		var ze *Error
		if errors.As(err, &ze) {
			ze.Msg = path + ": " + ze.Msg
		}
		return h, nil, err
	}
	if h.Kind != kind {
		return h, nil, Errorf(InvalidArgument, "%s is a %s file, expected a %s file", path, h.Kind, kind)
	}
	if err := h.CheckVersions(); err != nil {
		err.Msg = path + ": " + err.Msg
		return h, nil, err
	}
	if h.PayloadSize < 0 || h.PayloadSize > 1<<40 {
		return h, nil, Errorf(IO, "%s: corrupt header (payload size %d)", path, h.PayloadSize)
	}
	if st, err := f.Stat(); err == nil && st.Size() < h.PayloadSize {
		return h, nil, Errorf(IO, "%s: truncated (payload of %d bytes in a file of %d)", path, h.PayloadSize, st.Size())
	}
	payload := make([]byte, h.PayloadSize)
	if _, err := io.ReadFull(r, payload); err != nil {
		return h, nil, Errorf(IO, "%s: truncated payload: %v", path, err)
	}
	if n, _ := r.Read(make([]byte, 1)); n != 0 {
		return h, nil, Errorf(IO, "%s: trailing bytes after the payload", path)
	}
	sum := sha256.Sum256(payload)
	if hex.EncodeToString(sum[:]) != h.PayloadSHA256 {
		return h, nil, Errorf(IO, "%s: corrupt payload (SHA-256 differs from the header)", path)
	}
	return h, payload, nil
}

// ReadHeader reads the magic and the JSON header of an artifact.
func ReadHeader(r io.Reader) (Header, error) {
	var h Header
	var pre [12]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil || string(pre[:8]) != Magic {
		return h, Errorf(IO, "not a zkml artifact file (no %q header)", Magic)
	}
	n := binary.BigEndian.Uint32(pre[8:])
	if n == 0 || n > maxHeaderLen {
		return h, Errorf(IO, "corrupt artifact header (length %d)", n)
	}
	hj := make([]byte, n)
	if _, err := io.ReadFull(r, hj); err != nil {
		return h, Errorf(IO, "truncated artifact header: %v", err)
	}
	if err := json.Unmarshal(hj, &h); err != nil {
		return h, Errorf(IO, "corrupt artifact header: %v", err)
	}
	return h, nil
}

// CheckVersions returns a VersionMismatch error if the artifact was made by another curve,
// gnark version or ABI version than this build.
func (h Header) CheckVersions() *Error {
	if h.Curve != Curve || h.Gnark != GnarkVersion() || h.ABI != ABIVersion {
		return Errorf(VersionMismatch,
			"artifact made for curve %s, gnark %s, ABI %d; this library is curve %s, gnark %s, ABI %d (regenerate the artifact)",
			h.Curve, h.Gnark, h.ABI, Curve, GnarkVersion(), ABIVersion)
	}
	return nil
}

func (h Header) String() string {
	return fmt.Sprintf("%s (curve %s, gnark %s, ABI %d)", h.Kind, h.Curve, h.Gnark, h.ABI)
}
