package zk

import (
	"crypto/rand"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/kzg"
)

// srs is a KZG SRS for one PLONK setup: canonical (domain + 3 powers of tau in G1) and Lagrange
// (domain points), and where it came from.
type srs struct {
	canonical, lagrange kzg.SRS
	info                SetupInfo
}

// loadSRS returns the SRS for a PLONK domain of the given size: from the .ptau file of opts
// (checked by ReadPtau, "trust": "universal-srs", the file's SHA-256 recorded), or, with no file
// and AllowLocalUnsafe, drawn here (tau from crypto/rand, dropped; "trust": "local-unsafe").
// Without either it is InvalidArgument: a setup nobody has to trust needs a ceremony's file.
func loadSRS(opts SetupOptions, domain uint64) (*srs, error) {
	n := int(domain) + 3
	var s srs
	if opts.PtauPath != "" {
		p, err := ReadPtau(opts.PtauPath, n)
		if err != nil {
			return nil, err
		}
		s.canonical.Pk.G1 = p.G1
		s.canonical.Vk.G1 = p.G1[0]
		s.canonical.Vk.G2 = p.G2
		s.info = SetupInfo{Trust: TrustUniversalSRS, SRSSHA256: p.SHA256, SRSPower: p.Power, SRSSize: n}
	} else {
		if !opts.AllowLocalUnsafe {
			return nil, Errorf(InvalidArgument,
				"a PLONK setup needs a powers-of-tau file (ptauPath); a locally drawn SRS (trust local-unsafe) is refused unless allowed (development only)")
		}
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, Errorf(Internal, "random tau: %v", err)
		}
		var tau fr.Element
		tau.SetBytes(b[:])
		c, err := kzg.NewSRS(uint64(n), tau.BigInt(new(big.Int)))
		if err != nil {
			return nil, Errorf(Internal, "local SRS: %v", err)
		}
		tau.SetZero()
		s.canonical = *c
		s.info = SetupInfo{Trust: TrustLocalUnsafe, SRSSize: n}
	}
	s.canonical.Vk.Lines[0] = bn254.PrecomputeLines(s.canonical.Vk.G2[0])
	s.canonical.Vk.Lines[1] = bn254.PrecomputeLines(s.canonical.Vk.G2[1])
	lag, err := kzg.ToLagrangeG1(s.canonical.Pk.G1[:domain])
	if err != nil {
		return nil, Errorf(Internal, "Lagrange form of the SRS: %v", err)
	}
	s.lagrange.Pk.G1 = lag
	s.lagrange.Vk = s.canonical.Vk
	return &s, nil
}
