package zk

import (
	"math/big"
	"path/filepath"
	"testing"

	"github.com/zkml-service/zkml/native/internal/golden"
	"github.com/zkml-service/zkml/native/ir"
)

// TestHashedInputProofs: a real Groth16 proof of a hashed-input circuit verifies with the public
// inputs [public input values..., commitment, outputs...] and fails when the commitment or an
// output is changed; the constraint system round-trips through its file.
func TestHashedInputProofs(t *testing.T) {
	set := golden.MustLoad(t)
	var g golden.Set
	for _, s := range set {
		if s.Name == "ir-v2/multi-io-hashed.ir.json" {
			g = s
		}
	}
	if g.IR == nil {
		t.Fatal("no multi-io-hashed golden file")
	}
	k := setupKeys(t, g.IR)
	info := k.c.Info()
	// inputs b (hashed, 3 values) and a (public, 2): public = a (2), the commitment, 6 outputs
	if info.PublicInputs != 9 || info.InputSize != 5 || k.vk.VK.NbPublicWitness() != 9 {
		t.Fatalf("info %+v, vk takes %d", info, k.vk.VK.NbPublicWitness())
	}
	c := g.Cases[3]
	res, err := ProveSalted(k.c, k.pk, ints(t, c.Input), ints(t, []string{c.Salt}))
	if err != nil {
		t.Fatal(err)
	}
	public := fieldInts(t, res.PublicInputs)
	in := ints(t, c.Input)
	if public[0].Cmp(ir.ToField(in[3])) != 0 || public[1].Cmp(ir.ToField(in[4])) != 0 || res.PublicInputs[2] != c.Commitment || res.Commitments[0] != c.Commitment {
		t.Fatalf("public inputs %v, commitments %v (case: %v, commitment %s)", res.PublicInputs, res.Commitments, c.Input, c.Commitment)
	}
	if ok, err := Verify(k.vk, res.Proof, public); err != nil || !ok {
		t.Fatalf("hashed proof does not verify: %v %v", ok, err)
	}
	for _, j := range []int{0, 2, 3, 8} { // a public input, the commitment, two outputs
		changed := append([]*big.Int(nil), public...)
		changed[j] = new(big.Int).Add(changed[j], big.NewInt(1))
		changed[j].Mod(changed[j], ir.Modulus)
		if ok, err := Verify(k.vk, res.Proof, changed); err != nil || ok {
			t.Errorf("public input %d changed: verify %v, %v (want false)", j, ok, err)
		}
	}
	// another case's honest commitment does not verify this proof either
	other := append([]*big.Int(nil), public...)
	other[2] = fieldInts(t, []string{g.Cases[4].Commitment})[0]
	if ok, _ := Verify(k.vk, res.Proof, other); ok {
		t.Error("another commitment verified")
	}
	// no salt, two salts, a salt >= r
	wantCode(t, func() error { _, err := Prove(k.c, k.pk, in); return err }(), InvalidArgument, "salt")
	_, err = ProveSalted(k.c, k.pk, in, []*big.Int{big.NewInt(1), big.NewInt(2)})
	wantCode(t, err, InvalidArgument, "salt")
	_, err = ProveSalted(k.c, k.pk, in, []*big.Int{new(big.Int).Set(ir.Modulus)})
	wantCode(t, err, InvalidArgument, "salt")
	// the constraint system file of a hashed circuit loads back (public count checked)
	path := filepath.Join(t.TempDir(), "cs.bin")
	if err := k.c.WriteTo(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadCircuit(g.IR, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ProveSalted(loaded, k.pk, in, ints(t, []string{c.Salt})); err != nil {
		t.Fatal(err)
	}
}

// TestPrivateInputProofs: only the outputs are public.
func TestPrivateInputProofs(t *testing.T) {
	k := setupKeys(t, golden.MustReadIR(t, "../ir-v2/tree-depth2-private.ir.json"))
	res, err := Prove(k.c, k.pk, ints(t, []string{"24", "33"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.PublicInputs) != 1 || res.PublicInputs[0] != "1" || len(res.Commitments) != 0 {
		t.Fatalf("public inputs %v, commitments %v", res.PublicInputs, res.Commitments)
	}
	if ok, err := Verify(k.vk, res.Proof, fieldInts(t, []string{"1"})); err != nil || !ok {
		t.Fatalf("private proof: %v %v", ok, err)
	}
	if ok, _ := Verify(k.vk, res.Proof, fieldInts(t, []string{"2"})); ok {
		t.Error("changed output verified")
	}
	_, err = ProveSalted(k.c, k.pk, ints(t, []string{"24", "33"}), []*big.Int{big.NewInt(5)})
	wantCode(t, err, InvalidArgument, "salt")
}
