module github.com/zkmips/zkmips

go 1.26.8

require (
	github.com/consensys/gnark-crypto v0.22.0
	github.com/ethereum/go-ethereum v1.17.10
	github.com/spf13/cobra v1.10.2
	golang.org/x/crypto v0.57.0
)

require (
	github.com/ProjectZKM/Ziren/crates/go-runtime/zkvm_runtime v0.0.0-20251001021608-1fe7b43fc4d6 // indirect
	github.com/decred/dcrd/dcrec/secp256k1/v4 v4.0.1 // indirect
	github.com/holiman/uint256 v1.3.2 // indirect
)

require (
	github.com/bits-and-blooms/bitset v1.25.0 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/klauspost/compress v1.20.3
	github.com/spf13/pflag v1.0.9
	golang.org/x/sys v0.48.0 // indirect
)
