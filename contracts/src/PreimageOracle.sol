// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title PreimageOracle
/// @notice Serves pre-images to the on-chain MIPS step, 32 bytes at a time.
///
/// A pre-image is seen by the guest as the byte stream `u64 big-endian length || data`. The guest
/// reads that stream at any byte offset, so the oracle stores "parts": the 32 bytes of the stream
/// starting at an exact offset (zero-padded past the end), keyed by (key, offset). Anyone may load
/// a part; the key is always derived from the data here (a hash), or from msg.sender for local
/// data, so a loader can never make a key answer with data of their choosing for somebody else.
///
/// Keys carry their type in byte 0:
///   1 local:     data private to one dispute, see localizedKey
///   2 keccak256: keccak256(data) with byte 0 set to 2
///   4 sha256:    sha256(data) with byte 0 set to 4
/// Other types (3 global generic, 5 blob, 6 precompile) are not served by this contract.
contract PreimageOracle {
    /// @notice Part (32 bytes of the length-prefixed stream) at (key, offset).
    mapping(bytes32 => mapping(uint256 => bytes32)) public preimageParts;
    /// @notice Whether the part at (key, offset) was loaded; a loaded part may be all zeros.
    mapping(bytes32 => mapping(uint256 => bool)) public preimagePartOk;
    /// @notice Length of the pre-image data (without the 8-byte prefix), valid when
    /// preimageLengthKnown[key].
    mapping(bytes32 => uint256) public preimageLengths;
    /// @notice Whether any part of the key was loaded. A separate flag because a length of zero
    /// is a legitimate pre-image (the empty string) and must still end reads.
    mapping(bytes32 => bool) public preimageLengthKnown;

    /// @notice Reads the 32 bytes at `offset` of `u64be(len) || data` for `key`.
    /// @return dat    The part, zero-padded past the end of the stream.
    /// @return datLen How many bytes of dat belong to the stream: min(32, len + 8 - offset).
    ///                (0, 0) means end of pre-image: the length is known and offset >= len + 8,
    ///                so the MIPS contract returns 0 bytes to the guest (EOF) instead of failing.
    function readPreimage(bytes32 key, uint256 offset) external view returns (bytes32 dat, uint256 datLen) {
        if (preimagePartOk[key][offset]) {
            // Loading checked offset < len + 8, so the subtraction cannot underflow.
            datLen = preimageLengths[key] + 8 - offset;
            if (datLen > 32) datLen = 32;
            return (preimageParts[key][offset], datLen);
        }
        if (preimageLengthKnown[key] && offset >= preimageLengths[key] + 8) return (bytes32(0), 0);
        revert("PreimageOracle: pre-image must exist");
    }

    /// @notice The on-chain key of a local pre-image.
    /// @dev The guest asks for the local key `bytes32(uint256(1) << 248 | ident)`; its data differ
    /// between disputes, so on chain it is namespaced by who asks and in which context:
    ///   keccak256(abi.encode(localKey, caller, localContext)) with byte 0 set to 1,
    /// i.e. the hash of 96 bytes: the key, the caller address left-padded to 32 bytes, the context.
    /// `caller` is the msg.sender of loadLocalData and, identically, of MIPS.step: the MIPS
    /// contract localizes a type-1 key with its own msg.sender before calling readPreimage.
    function localizedKey(bytes32 localKey, address caller, bytes32 localContext) public pure returns (bytes32) {
        bytes32 h = keccak256(abi.encode(localKey, caller, localContext));
        return (h & ~bytes32(uint256(0xff) << 248)) | bytes32(uint256(1) << 248);
    }

    /// @notice Loads one part of the local pre-image `ident` for msg.sender in `localContext`.
    /// @param ident        The local key without its type byte (must fit in 31 bytes, so that
    ///                     distinct idents never collide once the type byte is added).
    /// @param localContext The dispute context the MIPS step will be called with.
    /// @param word         The data, left-aligned; only its first `size` bytes are the pre-image.
    /// @param size         Length of the data, at most 32.
    /// @param partOffset   Offset in `u64be(size) || data`, at most size + 8 (size + 8 stores the
    ///                     empty part at the very end).
    /// @return key The localized key under which the part is stored.
    function loadLocalData(uint256 ident, bytes32 localContext, bytes32 word, uint256 size, uint256 partOffset)
        external
        returns (bytes32 key)
    {
        require(ident >> 248 == 0, "PreimageOracle: local ident must fit in 31 bytes");
        require(size <= 32, "PreimageOracle: local data size must be <= 32");
        require(partOffset <= size + 8, "PreimageOracle: part offset out of bounds");
        key = localizedKey(bytes32(uint256(1) << 248 | ident), msg.sender, localContext);

        // Bytes of `word` past `size` are not data: clear them so the part is zero-padded exactly
        // like a hashed pre-image's (a shift by 256 yields 0, so size 32 keeps the whole word).
        bytes32 data = word & ~bytes32(type(uint256).max >> (size * 8));
        bytes32 part;
        assembly ("memory-safe") {
            // Scratch past the free memory pointer: stream at p, zero through p + 96 so a read at
            // any offset up to 40 sees zero padding.
            let p := mload(0x40)
            mstore(add(p, 0x20), 0)
            mstore(add(p, 0x40), 0)
            mstore(p, shl(192, size))
            mstore(add(p, 8), data)
            part := mload(add(p, partOffset))
        }
        _store(key, partOffset, part, size);
    }

    /// @notice Loads the part at `partOffset` of a keccak256-keyed pre-image.
    /// @return key keccak256(preimage) with byte 0 set to 2.
    function loadKeccak256PreimagePart(uint256 partOffset, bytes calldata preimage) external returns (bytes32 key) {
        key = _typed(keccak256(preimage), 2);
        _store(key, partOffset, _part(partOffset, preimage), preimage.length);
    }

    /// @notice Loads the part at `partOffset` of a sha256-keyed pre-image (sha256 precompile).
    /// @return key sha256(preimage) with byte 0 set to 4.
    function loadSha256PreimagePart(uint256 partOffset, bytes calldata preimage) external returns (bytes32 key) {
        key = _typed(sha256(preimage), 4);
        _store(key, partOffset, _part(partOffset, preimage), preimage.length);
    }

    function _typed(bytes32 h, uint256 typ) private pure returns (bytes32) {
        return (h & ~bytes32(uint256(0xff) << 248)) | bytes32(typ << 248);
    }

    function _store(bytes32 key, uint256 partOffset, bytes32 part, uint256 len) private {
        preimageParts[key][partOffset] = part;
        preimagePartOk[key][partOffset] = true;
        preimageLengths[key] = len;
        preimageLengthKnown[key] = true;
    }

    /// @dev The 32 bytes at `partOffset` of `u64be(len) || preimage`, zero-padded past the end.
    /// Copies at most 32 bytes of calldata, whatever the pre-image size, and never reads calldata
    /// past the pre-image (ABI padding need not be zero).
    function _part(uint256 partOffset, bytes calldata preimage) private pure returns (bytes32 part) {
        uint256 len = preimage.length;
        require(partOffset < len + 8, "PreimageOracle: part offset out of bounds");
        assembly ("memory-safe") {
            let p := mload(0x40)
            switch lt(partOffset, 8)
            case 1 {
                // Window starts inside the length prefix: prefix at p..p+8, then up to 32 data
                // bytes (the window needs at most 24 + partOffset of them).
                let n := len
                if gt(n, 32) { n := 32 }
                mstore(add(p, 0x20), 0)
                mstore(p, shl(192, len))
                calldatacopy(add(p, 8), preimage.offset, n)
                part := mload(add(p, partOffset))
            }
            default {
                // Window lies in the data: data[partOffset - 8 ..], at most 32 bytes.
                let d := sub(partOffset, 8)
                let n := sub(len, d)
                if gt(n, 32) { n := 32 }
                mstore(p, 0)
                calldatacopy(p, add(preimage.offset, d), n)
                part := mload(p)
            }
        }
    }
}
