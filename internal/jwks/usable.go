package jwks

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"math/big"
)

// Problem codes for a key that cannot verify tokens of an algorithm.
const (
	KeyNotSigning  = "not-signing"   // alg is an encryption algorithm
	KeyAlgMismatch = "alg-mismatch"  // the key's alg is another algorithm
	KeyWrongType   = "wrong-type"    // kty or curve does not fit the algorithm
	KeyTooSmall    = "rsa-too-small" // RSA modulus under 2048 bits
	KeyTooLarge    = "rsa-too-large" // RSA modulus over 8192 bits
	KeyBadExponent = "rsa-exponent"  // an exponent ring refuses
	KeyBadPoint    = "ec-point"      // coordinates that are not a P-256 point
)

// KeyProblem says why a key cannot verify a token.
type KeyProblem struct {
	Code    string
	Message string
}

// RSA modulus sizes ring accepts for RS256 (RSA_PKCS1_2048_8192_SHA256).
const (
	MinRSABits = 2048
	MaxRSABits = 8192
)

// Bits is the RSA modulus size, or 0 for other key types.
func (k *Key) Bits() int {
	if k.N == nil {
		return 0
	}
	return k.N.BitLen()
}

// Describe is a short description such as "RSA 2048-bit, alg RS256".
func (k *Key) Describe() string {
	s := k.Kty
	switch {
	case k.Kty == "RSA":
		s = fmt.Sprintf("RSA %d-bit", k.Bits())
	case k.Crv != "":
		s = k.Kty + " " + k.Crv
	}
	if k.Alg != "" {
		s += ", alg " + k.Alg
	}
	return s
}

// ProblemFor says whether Convex could verify a token signed with alg (the
// configured algorithm, RS256 or ES256) with this key once selected by kid,
// and if not, why. It mirrors biscuit's decode_with_jwks and ring: the JWK
// alg, when present, must be a signature algorithm equal to alg; RS256 needs
// an RSA key of 2048 to 8192 bits with an odd exponent from 3 to 2^33-1;
// ES256 needs an EC P-256 key whose coordinates form a valid point.
func (k *Key) ProblemFor(alg string) *KeyProblem {
	if k.Alg != "" {
		if AlgFamily(k.Alg) != "signature" {
			return &KeyProblem{KeyNotSigning, fmt.Sprintf("the key's alg %s is a %s algorithm, not a signature algorithm", k.Alg, AlgFamily(k.Alg))}
		}
		if k.Alg != alg {
			return &KeyProblem{KeyAlgMismatch, fmt.Sprintf("the key's alg is %s, not %s", k.Alg, alg)}
		}
	}
	switch alg {
	case "RS256":
		if k.Kty != "RSA" {
			return &KeyProblem{KeyWrongType, fmt.Sprintf("RS256 needs an RSA key, this is %s", k.Describe())}
		}
		switch bits := k.Bits(); {
		case bits < MinRSABits:
			return &KeyProblem{KeyTooSmall, fmt.Sprintf("the RSA key has %d bits; Convex accepts %d to %d", bits, MinRSABits, MaxRSABits)}
		case bits > MaxRSABits:
			return &KeyProblem{KeyTooLarge, fmt.Sprintf("the RSA key has %d bits; Convex accepts %d to %d", bits, MinRSABits, MaxRSABits)}
		}
		if k.E.Bit(0) == 0 || k.E.Cmp(big.NewInt(3)) < 0 || k.E.BitLen() > 33 {
			return &KeyProblem{KeyBadExponent, fmt.Sprintf("the RSA exponent %s is not an odd number from 3 to 2^33-1", k.E)}
		}
	case "ES256":
		if k.Kty != "EC" || k.Crv != "P-256" {
			return &KeyProblem{KeyWrongType, fmt.Sprintf("ES256 needs an EC P-256 key, this is %s", k.Describe())}
		}
		if _, err := k.ECDSAPublicKey(); err != nil {
			return &KeyProblem{KeyBadPoint, err.Error()}
		}
	default:
		return &KeyProblem{KeyWrongType, fmt.Sprintf("Convex customJwt providers only use RS256 or ES256, not %q", alg)}
	}
	return nil
}

// RSAPublicKey returns the key for crypto/rsa. Call ProblemFor first: this
// only converts.
func (k *Key) RSAPublicKey() (*rsa.PublicKey, error) {
	if k.Kty != "RSA" || !k.E.IsInt64() || k.E.Int64() > 1<<31-1 {
		return nil, fmt.Errorf("not a usable RSA key")
	}
	return &rsa.PublicKey{N: k.N, E: int(k.E.Int64())}, nil
}

// ECDSAPublicKey returns the P-256 key. ring reads the point as
// 0x04 || x || y, so each coordinate must be exactly 32 bytes.
func (k *Key) ECDSAPublicKey() (*ecdsa.PublicKey, error) {
	if k.Kty != "EC" || k.Crv != "P-256" {
		return nil, fmt.Errorf("not an EC P-256 key")
	}
	if len(k.X) != 32 || len(k.Y) != 32 {
		return nil, fmt.Errorf("P-256 coordinates must be 32 bytes each, these are %d and %d", len(k.X), len(k.Y))
	}
	point := append(append([]byte{4}, k.X...), k.Y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		return nil, fmt.Errorf("the coordinates are not a point on P-256")
	}
	return pub, nil
}
