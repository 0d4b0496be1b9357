package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkml-service/zkml/native/internal/golden"
	"github.com/zkml-service/zkml/native/zk"
)

// TestCeremonyArgumentsThroughTheABI: the ceremony exports refuse what they cannot use, naming it
// (the whole ceremony runs through JNI in verifier-contracts' CeremonyOnChainTest).
func TestCeremonyArgumentsThroughTheABI(t *testing.T) {
	irBytes := golden.MustReadIR(t, "classifier-3x4.ir.json")
	g, err := apiCompileFor(irBytes, "groth16")
	if err != nil {
		t.Fatal(err)
	}
	p, err := apiCompileFor(irBytes, "plonk")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := func(n string) string { return filepath.Join(dir, n) }
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"plonk circuit", second(apiCeremonyStart(p, f("x.ptau"), f("p1"), f("s0"))), "makes Groth16 keys"},
		{"no ptau", second(apiCeremonyStart(g, f("none.ptau"), f("p1"), f("s0"))), "none.ptau"},
		{"contributions not JSON", second(apiCeremonyFinalize(g, f("p1"), "s1", "00", f("pk"), f("vk"))), "JSON array"},
		{"beacon not hex", second(apiCeremonyFinalize(g, f("p1"), `["s1"]`, "xyz", f("pk"), f("vk"))), "hex"},
		{"empty beacon", second(apiCeremonyFinalize(g, f("p1"), `["s1"]`, "0x", f("pk"), f("vk"))), "hex"},
		{"same in and out", second(apiCeremonyContribute(f("s0"), f("s0"))), "another file"},
		{"no state", second(apiCeremonyContribute(f("none"), f("s1"))), "none"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, tc.err, tc.want)
		}
		if c := code(tc.err); c != zk.InvalidArgument && c != zk.IO {
			t.Errorf("%s: code %v", tc.name, c)
		}
	}
}

func second(_ string, err error) error { return err }
