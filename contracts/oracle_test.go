package contracts

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
)

func oracleVM(t testing.TB) *VM {
	t.Helper()
	v, err := newOracleVM()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func keccakKey(data []byte) [32]byte {
	k := crypto.Keccak256Hash(data)
	k[0] = KeyTypeKeccak256
	return k
}

func sha256Key(data []byte) [32]byte {
	k := sha256.Sum256(data)
	k[0] = KeyTypeSHA256
	return k
}

func localKey(ident byte) [32]byte {
	var k [32]byte
	k[0] = KeyTypeLocal
	k[31] = ident
	return k
}

// window is the oracle's answer computed independently: the 32 bytes at off
// of u64be(len) || data, and how many of them belong to the stream.
func window(data []byte, off int) (dat [32]byte, datLen uint64) {
	stream := binary.BigEndian.AppendUint64(nil, uint64(len(data)))
	stream = append(stream, data...)
	if off >= len(stream) {
		return dat, 0
	}
	n := copy(dat[:], stream[off:])
	return dat, uint64(n)
}

func testData(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(0xa0 + i*7)
	}
	return b
}

// TestOracleRoundTrip loads and reads every offset, including the end marker
// at and past len+8, for each key type and sizes around the 32-byte part.
func TestOracleRoundTrip(t *testing.T) {
	v := oracleVM(t)
	ctx := [32]byte{31: 0x42}
	for _, typ := range []byte{KeyTypeLocal, KeyTypeKeccak256, KeyTypeSHA256} {
		sizes := []int{0, 1, 4, 23, 24, 31, 32}
		if typ != KeyTypeLocal {
			sizes = append(sizes, 33, 55, 100, 1000)
		}
		for _, n := range sizes {
			data := testData(n)
			var key, onChain [32]byte
			switch typ {
			case KeyTypeLocal:
				key = localKey(byte(n))
				onChain = LocalizedKey(key, Caller, ctx)
			case KeyTypeKeccak256:
				key = keccakKey(data)
				onChain = key
			case KeyTypeSHA256:
				key = sha256Key(data)
				onChain = key
			}
			for off := 0; off <= n+8+2; off++ {
				if err := v.LoadPreimage(key, data, uint32(off), ctx); err != nil {
					t.Fatalf("type %d len %d: load at %d: %v", typ, n, off, err)
				}
				dat, datLen, err := v.ReadPreimage(onChain, uint32(off))
				if err != nil {
					t.Fatalf("type %d len %d: read at %d: %v", typ, n, off, err)
				}
				wantDat, wantLen := window(data, off)
				if dat != wantDat || datLen != wantLen {
					t.Fatalf("type %d len %d off %d: got (%x, %d), want (%x, %d)", typ, n, off, dat, datLen, wantDat, wantLen)
				}
			}
		}
	}
}

// TestOracleEndNeedsLength checks the three answers for a key with one part
// loaded: the part, the end marker past len+8, and a revert for an unloaded
// offset inside the pre-image (unknowable, so the step must fail).
func TestOracleEndNeedsLength(t *testing.T) {
	v := oracleVM(t)
	data := testData(40)
	key := keccakKey(data)
	if _, _, err := v.ReadPreimage(key, 48); err == nil || !strings.Contains(err.Error(), "pre-image must exist") {
		t.Fatalf("read before any load: err = %v, want pre-image must exist", err)
	}
	if err := v.LoadPreimage(key, data, 0, [32]byte{}); err != nil {
		t.Fatal(err)
	}
	if dat, n, err := v.ReadPreimage(key, 48); err != nil || n != 0 || dat != ([32]byte{}) {
		t.Fatalf("read at len+8: (%x, %d, %v), want end marker", dat, n, err)
	}
	if _, _, err := v.ReadPreimage(key, 1<<32-1); err != nil {
		t.Fatalf("read far past the end: %v", err)
	}
	_, _, err := v.ReadPreimage(key, 5)
	var re *RevertError
	if !errors.As(err, &re) || !errors.Is(err, vm.ErrExecutionReverted) {
		t.Fatalf("read of an unloaded part: err = %v, want a RevertError", err)
	}
	if want := "PreimageOracle.readPreimage reverted: PreimageOracle: pre-image must exist"; err.Error() != want {
		t.Fatalf("err = %q, want %q", err, want)
	}
}

// TestOracleWrongKey: reads under keys nobody loaded revert, and a hashed key
// that is not the hash of the data is refused instead of silently stored
// under the data's real key.
func TestOracleWrongKey(t *testing.T) {
	v := oracleVM(t)
	ctx := [32]byte{1}
	data := []byte("hello")
	if err := v.LoadPreimage(keccakKey(data), data, 0, ctx); err != nil {
		t.Fatal(err)
	}
	for name, key := range map[string][32]byte{
		"sha256 key of loaded keccak data": sha256Key(data),
		"keccak key of other data":         keccakKey([]byte("hellO")),
	} {
		if _, _, err := v.ReadPreimage(key, 0); err == nil || !strings.Contains(err.Error(), "pre-image must exist") {
			t.Errorf("%s: err = %v, want pre-image must exist", name, err)
		}
	}
	if err := v.LoadPreimage(keccakKey([]byte("other")), data, 0, ctx); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("mismatched keccak key: err = %v", err)
	}
	if err := v.LoadPreimage(sha256Key([]byte("other")), data, 0, ctx); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("mismatched sha256 key: err = %v", err)
	}

	// Local data is private to (caller, context): another context or caller
	// sees nothing, and the unlocalized guest key is not an on-chain key.
	lk := localKey(7)
	if err := v.LoadPreimage(lk, []byte{1, 2, 3}, 0, ctx); err != nil {
		t.Fatal(err)
	}
	if _, n, err := v.ReadPreimage(LocalizedKey(lk, Caller, ctx), 0); err != nil || n != 11 {
		t.Fatalf("local read: n = %d, err = %v", n, err)
	}
	for name, key := range map[string][32]byte{
		"other context": LocalizedKey(lk, Caller, [32]byte{2}),
		"other caller":  LocalizedKey(lk, common.Address{1}, ctx),
		"unlocalized":   lk,
	} {
		if _, _, err := v.ReadPreimage(key, 0); err == nil || !strings.Contains(err.Error(), "pre-image must exist") {
			t.Errorf("local, %s: err = %v, want pre-image must exist", name, err)
		}
	}
}

func TestLoadPreimageRejectsKeyTypes(t *testing.T) {
	v := oracleVM(t)
	for _, typ := range []byte{0, 3, 5, 6, 0xff} {
		err := v.LoadPreimage([32]byte{0: typ}, nil, 0, [32]byte{})
		if err == nil || !strings.Contains(err.Error(), "type "+big.NewInt(int64(typ)).String()) {
			t.Errorf("type %d: err = %v", typ, err)
		}
	}
	if err := v.LoadPreimage(localKey(1), make([]byte, 33), 0, [32]byte{}); err == nil || !strings.Contains(err.Error(), "at most 32") {
		t.Errorf("33-byte local data: err = %v", err)
	}
}

// TestLoadLocalDataChecks calls the contract directly with arguments
// LoadPreimage never produces.
func TestLoadLocalDataChecks(t *testing.T) {
	v := oracleVM(t)
	load := func(ident *big.Int, word [32]byte, size, partOffset int64) error {
		in, err := v.oracleA.ABI.Pack("loadLocalData", ident, [32]byte{}, word, big.NewInt(size), big.NewInt(partOffset))
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.transact("PreimageOracle.loadLocalData", v.oracle, in)
		return err
	}
	one := big.NewInt(1)
	for _, c := range []struct {
		name      string
		ident     *big.Int
		size, off int64
		want      string
	}{
		{"size 33", one, 33, 0, "local data size must be <= 32"},
		{"size 2^62", one, 1 << 62, 0, "local data size must be <= 32"},
		{"offset past size+8", one, 4, 13, "part offset out of bounds"},
		{"ident with a type byte", new(big.Int).Lsh(one, 248), 4, 0, "local ident must fit in 31 bytes"},
	} {
		err := load(c.ident, [32]byte{}, c.size, c.off)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}

	// The bytes of word past size are not data: they must read as zero.
	var word [32]byte
	for i := range word {
		word[i] = 0xff
	}
	if err := load(big.NewInt(9), word, 3, 8); err != nil {
		t.Fatal(err)
	}
	if err := load(big.NewInt(9), word, 3, 11); err != nil { // size+8: the empty end part
		t.Fatal(err)
	}
	key := LocalizedKey(localKey(9), Caller, [32]byte{})
	dat, n, err := v.ReadPreimage(key, 8)
	if err != nil || n != 3 || dat != ([32]byte{0xff, 0xff, 0xff}) {
		t.Fatalf("masked local read: (%x, %d, %v)", dat, n, err)
	}
	if dat, n, err := v.ReadPreimage(key, 11); err != nil || n != 0 || dat != ([32]byte{}) {
		t.Fatalf("end part: (%x, %d, %v)", dat, n, err)
	}
}

func TestHashedPartOffsetChecked(t *testing.T) {
	v := oracleVM(t)
	data := testData(10)
	for _, fn := range []string{"loadKeccak256PreimagePart", "loadSha256PreimagePart"} {
		in, err := v.oracleA.ABI.Pack(fn, big.NewInt(18), data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.transact(fn, v.oracle, in); err == nil || !strings.Contains(err.Error(), "part offset out of bounds") {
			t.Errorf("%s at len+8: err = %v", fn, err)
		}
	}
}

// TestHashedPartIgnoresCalldataPadding sends a pre-image whose ABI padding is
// not zero: the part past the end must still be zero-padded.
func TestHashedPartIgnoresCalldataPadding(t *testing.T) {
	v := oracleVM(t)
	data := testData(5)
	in, err := v.oracleA.ABI.Pack("loadKeccak256PreimagePart", big.NewInt(8), data)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(in) - 27; i < len(in); i++ {
		in[i] = 0xee
	}
	if _, err := v.transact("load", v.oracle, in); err != nil {
		t.Fatal(err)
	}
	dat, n, err := v.ReadPreimage(keccakKey(data), 8)
	want, _ := window(data, 8)
	if err != nil || n != 5 || dat != want {
		t.Fatalf("got (%x, %d, %v), want %x", dat, n, err, want)
	}
}

// TestLocalizedKeyMatchesContract: the Go helper (used by the witness side)
// and the contract's localizedKey must agree bit for bit.
func TestLocalizedKeyMatchesContract(t *testing.T) {
	v := oracleVM(t)
	for i := range 8 {
		seed := crypto.Keccak256([]byte{byte(i)})
		var k, ctx [32]byte
		copy(k[:], seed)
		copy(ctx[:], crypto.Keccak256(seed))
		caller := common.BytesToAddress(crypto.Keccak256(ctx[:]))
		in, err := v.oracleA.ABI.Pack("localizedKey", k, caller, ctx)
		if err != nil {
			t.Fatal(err)
		}
		ret, _, err := v.call("localizedKey", Caller, v.oracle, in)
		if err != nil {
			t.Fatal(err)
		}
		got := LocalizedKey(k, caller, ctx)
		if !bytes.Equal(ret, got[:]) || got[0] != 1 {
			t.Fatalf("contract %x, Go %x", ret, got)
		}
	}
}

func BenchmarkOracleRead(b *testing.B) {
	v := oracleVM(b)
	data := testData(100)
	key := keccakKey(data)
	if err := v.LoadPreimage(key, data, 20, [32]byte{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, n, err := v.ReadPreimage(key, 20); err != nil || n != 32 {
			b.Fatal(n, err)
		}
	}
}
