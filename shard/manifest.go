package shard

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/zkmips/zkmips/events"
)

const (
	// FormatName is the manifest's format field.
	FormatName = "zkmips-trace"
	// ManifestFile is the manifest's name inside a trace directory.
	ManifestFile = "manifest.json"
	// MemoryFile is the memory file's name inside a trace directory.
	MemoryFile = "memory.zkt"
)

// ShardFileName returns the file name of shard index (1-based):
// shard-000001.zkt.
func ShardFileName(index uint32) string { return fmt.Sprintf("shard-%06d.zkt", index) }

// Manifest describes a trace directory: how the run was made, what it
// produced and every file in it. Its JSON form is deterministic: no
// timestamps, no host paths, fields in declaration order, map keys sorted.
type Manifest struct {
	Format      string      `json:"format"`  // FormatName
	Version     int         `json:"version"` // FormatVersion
	Program     ProgramInfo `json:"program"`
	Inputs      []InputInfo `json:"inputs"`       // the zkVM input stream items
	StdinSHA256 string      `json:"stdin_sha256"` // of the bytes fed to fd 0
	Args        []string    `json:"args"`
	Env         []string    `json:"env"`
	Seed        uint64      `json:"seed"`
	ShardSize   uint64      `json:"shard_size"`    // cycle budget per shard
	ClkPerCycle uint32      `json:"clk_per_cycle"` // events.ClkPerCycle
	Totals      Totals      `json:"totals"`
	Shards      []ShardInfo `json:"shards"` // by index: shard i+1 at i
	Memory      MemoryInfo  `json:"memory"`
}

// ProgramInfo identifies the guest program.
type ProgramInfo struct {
	Name      string `json:"name"`   // base name only, never a host path
	SHA256    string `json:"sha256"` // of the ELF file
	BigEndian bool   `json:"big_endian"`
	Entry     Hex32  `json:"entry"`
}

// InputInfo identifies one zkVM input item.
type InputInfo struct {
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// Totals is what the whole run did.
type Totals struct {
	Steps              uint64    `json:"steps"`
	Cycles             uint64    `json:"cycles"`
	Shards             int       `json:"shards"`
	ExitCode           uint32    `json:"exit_code"`
	Exited             bool      `json:"exited"`
	Fault              *string   `json:"fault"` // null unless the run ended in a fault
	PublicValues       HexBytes  `json:"public_values"`
	PublicValuesDigest HexBytes  `json:"public_values_digest"`
	CommittedDigest    *HexBytes `json:"committed_digest"` // null unless the guest committed one
}

// ShardInfo is the manifest entry of one shard file.
type ShardInfo struct {
	Index       uint32            `json:"index"` // 1-based; events.Record.Shard
	File        string            `json:"file"`
	Bytes       int64             `json:"bytes"`
	SHA256      string            `json:"sha256"` // of the whole file
	StartStep   uint64            `json:"start_step"`
	Steps       uint64            `json:"steps"`
	StartCycle  uint64            `json:"start_cycle"`
	Cycles      uint64            `json:"cycles"`
	StartPC     Hex32             `json:"start_pc"`
	StartNextPC Hex32             `json:"start_next_pc"`
	EndPC       Hex32             `json:"end_pc"`
	EndNextPC   Hex32             `json:"end_next_pc"`
	Rows        map[string]uint64 `json:"rows"` // rows per table (all tables but "shard")
}

// MemoryInfo is the manifest entry of the memory file.
type MemoryInfo struct {
	File         string `json:"file"`
	Bytes        int64  `json:"bytes"`
	SHA256       string `json:"sha256"` // of the whole file
	InitRows     uint64 `json:"init_rows"`
	FinalizeRows uint64 `json:"finalize_rows"`
}

// Hex32 is a 32-bit value written in JSON as "0x%08x".
type Hex32 uint32

// MarshalText implements encoding.TextMarshaler.
func (h Hex32) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "0x%08x", uint32(h)), nil }

// UnmarshalText implements encoding.TextUnmarshaler: exactly "0x" and 8
// hex digits.
func (h *Hex32) UnmarshalText(b []byte) error {
	s := string(b)
	if len(s) != 10 || !strings.HasPrefix(s, "0x") {
		return fmt.Errorf("%q is not a 0x-prefixed 8-digit hex number", s)
	}
	v, err := strconv.ParseUint(s[2:], 16, 32)
	if err != nil {
		return fmt.Errorf("%q is not a 0x-prefixed 8-digit hex number", s)
	}
	*h = Hex32(v)
	return nil
}

// HexBytes is a byte string written in JSON as lowercase hex (no 0x).
type HexBytes []byte

// MarshalText implements encoding.TextMarshaler.
func (h HexBytes) MarshalText() ([]byte, error) { return hex.AppendEncode(nil, h), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (h *HexBytes) UnmarshalText(b []byte) error {
	v, err := hex.DecodeString(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a hex string", b)
	}
	*h = v
	return nil
}

// Marshal returns the manifest's JSON: two-space indentation and a
// trailing newline.
func (m *Manifest) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// ParseManifest decodes a manifest (it does not validate it).
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// PlainFileName reports whether name is a plain file name: no directory
// part, not "." or "..", no leading dot, no path separators of any system.
func PlainFileName(name string) bool {
	return name != "" && name[0] != '.' && !strings.ContainsAny(name, "/\\:\x00")
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Validate checks the manifest's internal consistency: format and version,
// plain and distinct file names, well-formed checksums, shards numbered
// 1..n whose steps, cycles and pcs chain and add up to the totals, and
// row counts naming real tables.
func (m *Manifest) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if m.Format != FormatName {
		bad("format is %q, want %q", m.Format, FormatName)
	}
	if m.Version != FormatVersion {
		bad("version is %d, this reader supports %d", m.Version, FormatVersion)
	}
	if len(errs) > 0 { // another format: nothing else is meaningful
		return errors.Join(errs...)
	}
	if m.ClkPerCycle != events.ClkPerCycle {
		bad("clk_per_cycle is %d, want %d", m.ClkPerCycle, events.ClkPerCycle)
	}
	if n := m.Program.Name; strings.ContainsAny(n, "/\\") {
		bad("program name %q is a path, want a base name", n)
	}
	if s := m.Program.SHA256; s != "" && !isSHA256Hex(s) {
		bad("program sha256 %q is not 64 lowercase hex digits", s)
	}
	if s := m.StdinSHA256; s != "" && !isSHA256Hex(s) {
		bad("stdin_sha256 %q is not 64 lowercase hex digits", s)
	}
	for i, in := range m.Inputs {
		if !isSHA256Hex(in.SHA256) || in.Bytes < 0 {
			bad("input %d: sha256 %q / bytes %d malformed", i, in.SHA256, in.Bytes)
		}
	}
	files := map[string]string{ManifestFile: "the manifest"}
	checkFile := func(what, name string, size int64, sum string) {
		switch {
		case !PlainFileName(name):
			bad("%s: file %q is not a plain file name inside the trace directory", what, name)
		case files[name] != "":
			bad("%s: file %q is also %s", what, name, files[name])
		default:
			files[name] = what
		}
		if size < MinFileSize {
			bad("%s: %d bytes is smaller than any trace file (%d)", what, size, MinFileSize)
		}
		if !isSHA256Hex(sum) {
			bad("%s: sha256 %q is not 64 lowercase hex digits", what, sum)
		}
	}
	if m.Totals.Shards != len(m.Shards) {
		bad("totals.shards is %d, the manifest lists %d shards", m.Totals.Shards, len(m.Shards))
	}
	var steps, cycles uint64
	for i := range m.Shards {
		s := &m.Shards[i]
		what := fmt.Sprintf("shard %d", i+1)
		if s.Index != uint32(i+1) {
			bad("%s: index is %d, want %d", what, s.Index, i+1)
		}
		checkFile(what, s.File, s.Bytes, s.SHA256)
		if s.StartStep != steps || s.StartCycle != cycles {
			bad("%s: starts at step %d, cycle %d; the shards before end at step %d, cycle %d",
				what, s.StartStep, s.StartCycle, steps, cycles)
		}
		if i > 0 {
			if p := &m.Shards[i-1]; s.StartPC != p.EndPC || s.StartNextPC != p.EndNextPC {
				bad("%s: starts at pc %s/%s, shard %d ends at %s/%s", what,
					fmtHex(s.StartPC), fmtHex(s.StartNextPC), i, fmtHex(p.EndPC), fmtHex(p.EndNextPC))
			}
		}
		steps += s.Steps
		cycles += s.Cycles
		for _, name := range sortedKeys(s.Rows) {
			if !knownTable(name) {
				bad("%s: rows name unknown table %q", what, name)
			}
		}
		for _, t := range recordTables {
			if _, ok := s.Rows[t.name]; !ok && !strings.HasPrefix(t.name, precompilePrefix) {
				bad("%s: rows lack table %q", what, t.name)
			}
		}
	}
	if steps != m.Totals.Steps || cycles != m.Totals.Cycles {
		bad("shards add up to %d steps and %d cycles, totals say %d and %d", steps, cycles, m.Totals.Steps, m.Totals.Cycles)
	}
	checkFile("memory", m.Memory.File, m.Memory.Bytes, m.Memory.SHA256)
	if m.Memory.InitRows != m.Memory.FinalizeRows {
		bad("memory: %d init rows but %d finalize rows (one of each per address)", m.Memory.InitRows, m.Memory.FinalizeRows)
	}
	if len(errs) > 10 {
		errs = append(errs[:10], fmt.Errorf("and %d more problems", len(errs)-10))
	}
	return errors.Join(errs...)
}

func fmtHex(h Hex32) string { return fmt.Sprintf("0x%08x", uint32(h)) }

func knownTable(name string) bool {
	if _, ok := parsePrecompileTable(name); ok {
		return true
	}
	for _, t := range recordTables {
		if t.name == name {
			return true
		}
	}
	return false
}

// Check reports how r differs from the manifest entry s: index, steps,
// cycles, pcs and row counts.
func (s *ShardInfo) Check(r *events.Record) error {
	got := recordInfo(r)
	var errs []error
	diff := func(what string, have, want any) {
		if have != want {
			errs = append(errs, fmt.Errorf("%s is %v, manifest says %v", what, have, want))
		}
	}
	diff("shard index", got.Index, s.Index)
	diff("start_step", got.StartStep, s.StartStep)
	diff("steps", got.Steps, s.Steps)
	diff("start_cycle", got.StartCycle, s.StartCycle)
	diff("cycles", got.Cycles, s.Cycles)
	diff("start_pc", fmtHex(got.StartPC), fmtHex(s.StartPC))
	diff("start_next_pc", fmtHex(got.StartNextPC), fmtHex(s.StartNextPC))
	diff("end_pc", fmtHex(got.EndPC), fmtHex(s.EndPC))
	diff("end_next_pc", fmtHex(got.EndNextPC), fmtHex(s.EndNextPC))
	for _, name := range sortedKeys(got.Rows) {
		n := got.Rows[name]
		want, ok := s.Rows[name]
		if !ok {
			errs = append(errs, fmt.Errorf("table %s (%d rows) is not in the manifest", name, n))
		} else {
			diff("rows of "+name, n, want)
		}
	}
	for _, name := range sortedKeys(s.Rows) {
		if _, ok := got.Rows[name]; !ok {
			errs = append(errs, fmt.Errorf("table %s is in the manifest, not in the file", name))
		}
	}
	return errors.Join(errs...)
}

func sortedKeys(m map[string]uint64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
