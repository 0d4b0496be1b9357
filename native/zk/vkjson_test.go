package zk

import (
	"encoding/json"
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkml-service/zkml/native/internal/golden"
	"github.com/zkml-service/zkml/native/ir"
)

func g1FromJSON(t *testing.T, p G1JSON) bn254.G1Affine {
	t.Helper()
	var g bn254.G1Affine
	if _, err := g.X.SetString(p.X); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Y.SetString(p.Y); err != nil {
		t.Fatal(err)
	}
	if !g.IsOnCurve() || !g.IsInSubGroup() {
		t.Fatalf("G1 point %v not on the curve", p)
	}
	return g
}

// g2FromJSON reads a G2 point the way the JSON documents it: x = x.a0 + x.a1·u.
func g2FromJSON(t *testing.T, p G2JSON) bn254.G2Affine {
	t.Helper()
	var g bn254.G2Affine
	for _, c := range []struct {
		dst interface {
			SetString(string) (*fp.Element, error)
		}
		s string
	}{{&g.X.A0, p.X.A0}, {&g.X.A1, p.X.A1}, {&g.Y.A0, p.Y.A0}, {&g.Y.A1, p.Y.A1}} {
		if _, err := c.dst.SetString(c.s); err != nil {
			t.Fatal(err)
		}
	}
	if !g.IsOnCurve() || !g.IsInSubGroup() {
		t.Fatalf("G2 point %v not on the curve", p)
	}
	return g
}

// TestVerifyingKeyPointsVerifyAProof rebuilds the key from its JSON (decimal strings only) and
// checks a real proof with the pairing equation the JSON documents:
// e(A, B) = e(alpha1, beta2) · e(K[0] + Σ x_i·K[i+1], gamma2) · e(C, delta2).
func TestVerifyingKeyPointsVerifyAProof(t *testing.T) {
	k := setupKeys(t, golden.MustReadIR(t, "classifier-3x4.ir.json"))
	res, err := Prove(k.c, k.pk, ints(t, []string{"-1", "0", "0", "2"}))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(VerifyingKeyPoints(k.vk))
	if err != nil {
		t.Fatal(err)
	}
	var v VerifyingKeyJSON
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if v.Curve != "bn254" || v.Protocol != "groth16" || v.PublicInputs != 5 || v.Commitments != 0 || len(v.K) != 6 ||
		v.CircuitSHA256 != k.c.IR.CircuitHash() {
		t.Fatalf("vk json %s", b)
	}
	alpha, beta, gamma, delta := g1FromJSON(t, v.Alpha1), g2FromJSON(t, v.Beta2), g2FromJSON(t, v.Gamma2), g2FromJSON(t, v.Delta2)
	if !alpha.Equal(&k.vk.VK.G1.Alpha) || !beta.Equal(&k.vk.VK.G2.Beta) || !gamma.Equal(&k.vk.VK.G2.Gamma) || !delta.Equal(&k.vk.VK.G2.Delta) {
		t.Fatal("points differ from the key's")
	}
	proof, err := DecodeSolidityProof(res.Proof)
	if err != nil {
		t.Fatal(err)
	}
	check := func(public []*big.Int) bool {
		vkx := g1FromJSON(t, v.K[0])
		for i, x := range public {
			ki := g1FromJSON(t, v.K[i+1])
			var s fr.Element
			s.SetBigInt(x)
			var term bn254.G1Affine
			term.ScalarMultiplication(&ki, s.BigInt(new(big.Int)))
			vkx.Add(&vkx, &term)
		}
		var negA bn254.G1Affine
		negA.Neg(&proof.Ar)
		ok, err := bn254.PairingCheck(
			[]bn254.G1Affine{negA, alpha, vkx, proof.Krs},
			[]bn254.G2Affine{proof.Bs, beta, gamma, delta})
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	public := fieldInts(t, res.PublicInputs)
	if !check(public) {
		t.Fatal("the exported points do not verify a valid proof")
	}
	changed := append([]*big.Int(nil), public...)
	changed[4] = new(big.Int).Mod(new(big.Int).Add(public[4], big.NewInt(1)), ir.Modulus)
	if check(changed) {
		t.Fatal("the exported points verify a changed output")
	}
}
