package zk

import (
	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
)

// G1JSON is an affine G1 point as decimal coordinates; (0, 0) is the point at infinity (as in
// the proof layout and EIP-197).
type G1JSON struct {
	X string `json:"x"`
	Y string `json:"y"`
}

// FP2JSON is an element a0 + a1·u of the quadratic extension (gnark's E2{A0, A1}).
type FP2JSON struct {
	A0 string `json:"a0"`
	A1 string `json:"a1"`
}

// G2JSON is an affine G2 point; all four coordinates 0 is the point at infinity.
type G2JSON struct {
	X FP2JSON `json:"x"`
	Y FP2JSON `json:"y"`
}

// VerifyingKeyJSON is the JSON object zkml_vk_export_json returns: the points of a Groth16
// verifying key in gnark's naming, decimal coordinates. Verification checks
//
//	e(A, B) = e(alpha1, beta2) · e(K[0] + Σ public[i]·K[i+1], gamma2) · e(C, delta2)
//
// so K[0] belongs to the constant-one wire and len(K) = publicInputs + 1.
type VerifyingKeyJSON struct {
	Curve         string   `json:"curve"`
	Protocol      string   `json:"protocol"`
	CircuitSHA256 string   `json:"circuitSha256"`
	PublicInputs  int      `json:"publicInputs"`
	Commitments   int      `json:"commitments"`
	Alpha1        G1JSON   `json:"alpha1"`
	Beta2         G2JSON   `json:"beta2"`
	Gamma2        G2JSON   `json:"gamma2"`
	Delta2        G2JSON   `json:"delta2"`
	K             []G1JSON `json:"k"`
}

func fpDecimal(e fp.Element) string { return e.String() }

func g1JSON(p bn254.G1Affine) G1JSON { return G1JSON{X: fpDecimal(p.X), Y: fpDecimal(p.Y)} }

func g2JSON(p bn254.G2Affine) G2JSON {
	return G2JSON{
		X: FP2JSON{A0: fpDecimal(p.X.A0), A1: fpDecimal(p.X.A1)},
		Y: FP2JSON{A0: fpDecimal(p.Y.A0), A1: fpDecimal(p.Y.A1)},
	}
}

// VerifyingKeyPoints returns the points of the key. Only the keys of lookup circuits have a
// commitment (one); the count is reported so that a consumer such as the snarkjs export refuses
// them (snarkjs cannot check Groth16 with commitments).
func VerifyingKeyPoints(vk *VerifyingKey) VerifyingKeyJSON {
	k := vk.VK
	out := VerifyingKeyJSON{
		Curve:         Curve,
		Protocol:      "groth16",
		CircuitSHA256: vk.CircuitSHA256,
		PublicInputs:  len(k.G1.K) - 1 - len(k.PublicAndCommitmentCommitted),
		Commitments:   len(k.CommitmentKeys),
		Alpha1:        g1JSON(k.G1.Alpha),
		Beta2:         g2JSON(k.G2.Beta),
		Gamma2:        g2JSON(k.G2.Gamma),
		Delta2:        g2JSON(k.G2.Delta),
		K:             make([]G1JSON, len(k.G1.K)),
	}
	for i, p := range k.G1.K {
		out.K[i] = g1JSON(p)
	}
	return out
}
