// Package oracle provides pre-image oracles for guests that use the
// Cannon/op-program pre-image protocol (executor.Oracle): a local directory
// of pre-images (Dir), an op-program-style host process (Host), and the
// host side of that protocol (Serve, ServeFDs).
//
// A pre-image key is 32 bytes whose first byte is its type (REFERENCE
// section 4): 1 local, 2 keccak256 (the keccak256 of the data with byte 0
// set to 2), 3 global generic, 4 sha256 (likewise), 5 blob, 6 precompile.
// Keys of types 2 and 4 are checked against the data they name.
package oracle

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/sha3"
)

// Key types (byte 0 of a key).
const (
	LocalKeyType         = 1
	Keccak256KeyType     = 2
	GlobalGenericKeyType = 3
	Sha256KeyType        = 4
	BlobKeyType          = 5
	PrecompileKeyType    = 6
)

// Keccak256Key returns the type-2 key of data: keccak256(data) with byte
// 0 set to 2.
func Keccak256Key(data []byte) [32]byte {
	var k [32]byte
	h := sha3.NewLegacyKeccak256()
	h.Write(data)
	h.Sum(k[:0])
	k[0] = Keccak256KeyType
	return k
}

// Sha256Key returns the type-4 key of data: sha256(data) with byte 0 set
// to 4.
func Sha256Key(data []byte) [32]byte {
	k := sha256.Sum256(data)
	k[0] = Sha256KeyType
	return k
}

// LocalKey returns the type-1 key of local datum ident, as op-program
// numbers its local inputs (the identifier big-endian in the last 8
// bytes).
func LocalKey(ident uint64) [32]byte {
	var k [32]byte
	k[0] = LocalKeyType
	binary.BigEndian.PutUint64(k[24:], ident)
	return k
}

// KeyTypeName names a key type for messages.
func KeyTypeName(t byte) string {
	switch t {
	case LocalKeyType:
		return "local"
	case Keccak256KeyType:
		return "keccak256"
	case GlobalGenericKeyType:
		return "global generic"
	case Sha256KeyType:
		return "sha256"
	case BlobKeyType:
		return "blob"
	case PrecompileKeyType:
		return "precompile"
	}
	return fmt.Sprintf("unknown type %d", t)
}

// Verify checks that data is the pre-image of key where the key says how:
// keccak256 (type 2) and sha256 (type 4) keys must be the hash of the
// data. Other key types cannot be checked from the data alone and pass.
func Verify(key [32]byte, data []byte) error {
	var got [32]byte
	switch key[0] {
	case Keccak256KeyType:
		got = Keccak256Key(data)
	case Sha256KeyType:
		got = Sha256Key(data)
	default:
		return nil
	}
	if got != key {
		return fmt.Errorf("the %d bytes given for %s key 0x%x hash to 0x%x instead", len(data), KeyTypeName(key[0]), key, got)
	}
	return nil
}
