// Package shard writes and reads zkmips trace files: one file per shard
// holding an events.Record table by table and column by column, a memory
// file with the run's init and finalize rows, and the manifest that ties a
// trace directory together. docs/trace-format.md is the specification.
//
// A file is a header (magic, version), a zstd-compressed payload and a
// trailer (uncompressed length, SHA-256 of the compressed payload, magic).
// The payload is self-describing: it names every table and every column with
// its width, so a reader needs no Go struct definitions.
package shard

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/klauspost/compress/zstd"

	"github.com/zkmips/zkmips/events"
)

const (
	// Magic starts and ends every trace file.
	Magic = "ZKMTRACE"
	// FormatVersion is the version of the file and payload layout.
	FormatVersion = 1
	// MaxPayload bounds the uncompressed payload a reader accepts.
	MaxPayload = 64 << 30

	headerSize  = 8 + 4      // magic, version
	trailerSize = 8 + 32 + 8 // uncompressed length, SHA-256, magic
	// MinFileSize is the size of a file with an empty compressed payload.
	MinFileSize = headerSize + trailerSize
)

// Table names of a shard file, in file order. Precompile tables (named
// PrecompileTable(code)) sit between "syscall" and "memory".
const (
	TableShard    = "shard"
	TableInit     = "init"
	TableFinalize = "finalize"

	precompilePrefix = "precompile_"
)

// PrecompileTable returns the table name of precompile code:
// "precompile_" and the code as 8 lowercase hex digits.
func PrecompileTable(code uint32) string {
	return fmt.Sprintf("%s%08x", precompilePrefix, code)
}

// parsePrecompileTable returns the code of a precompile table name.
func parsePrecompileTable(name string) (uint32, bool) {
	h, ok := strings.CutPrefix(name, precompilePrefix)
	if !ok || len(h) != 8 || strings.ToLower(h) != h {
		return 0, false
	}
	v, err := strconv.ParseUint(h, 16, 32)
	return uint32(v), err == nil
}

// Errors a reader reports, wrapped with the file name and details; test for
// them with errors.Is.
var (
	ErrBadMagic   = errors.New("bad magic")
	ErrBadVersion = errors.New("unsupported format version")
	ErrTruncated  = errors.New("truncated")
	ErrChecksum   = errors.New("checksum mismatch")
	ErrDecompress = errors.New("decompression failed")
	ErrCorrupt    = errors.New("inconsistent payload")
)

// ---------------------------------------------------------------------------
// Row layouts: a row type's columns, found once by reflection.

// maxColumns bounds the fields of a row type.
const maxColumns = 64

// column is one field of a row type.
type column struct {
	name  string
	off   uintptr // offset in the Go struct
	width int     // bytes: 1, 2, 4 or 8
}

// layout is a row type as a list of fixed-width columns.
type layout struct {
	typ   reflect.Type
	size  uintptr // Go struct size: the stride of a slice of rows
	width int     // encoded bytes per row
	cols  []column
}

// layoutOf returns the columns of row type T. It panics if T is not a struct
// of exported uint8, uint16, uint32 and uint64 fields: that is a programming
// error, caught when the package initializes.
func layoutOf[T any]() *layout {
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Struct || t.NumField() == 0 {
		panic(fmt.Sprintf("shard: row type %s is not a non-empty struct", t))
	}
	l := &layout{typ: t, size: t.Size()}
	for i := range t.NumField() {
		f := t.Field(i)
		var w int
		switch f.Type.Kind() {
		case reflect.Uint8:
			w = 1
		case reflect.Uint16:
			w = 2
		case reflect.Uint32:
			w = 4
		case reflect.Uint64:
			w = 8
		default:
			panic(fmt.Sprintf("shard: field %s.%s is %s; trace rows hold only uint8, uint16, uint32 and uint64 fields",
				t, f.Name, f.Type))
		}
		if !f.IsExported() {
			panic(fmt.Sprintf("shard: field %s.%s is unexported", t, f.Name))
		}
		l.cols = append(l.cols, column{name: snake(f.Name), off: f.Offset, width: w})
		l.width += w
	}
	if len(l.cols) > maxColumns {
		panic(fmt.Sprintf("shard: row type %s has %d fields, at most %d allowed", t, len(l.cols), maxColumns))
	}
	return l
}

// snake turns a Go field name into a column name: NextPC -> next_pc,
// A3Out -> a3_out, MemIn2 -> mem_in2.
func snake(s string) string {
	upper := func(c byte) bool { return c >= 'A' && c <= 'Z' }
	lower := func(c byte) bool { return c >= 'a' && c <= 'z' }
	digit := func(c byte) bool { return c >= '0' && c <= '9' }
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if upper(c) {
			if i > 0 {
				p := s[i-1]
				if lower(p) || digit(p) || (upper(p) && i+1 < len(s) && lower(s[i+1])) {
					b.WriteByte('_')
				}
			}
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// shardRow is the one-row table of a shard's scalar fields.
type shardRow struct {
	Shard       uint32
	StartStep   uint64
	Steps       uint64
	StartCycle  uint64
	Cycles      uint64
	StartPC     uint32
	StartNextPC uint32
	EndPC       uint32
	EndNextPC   uint32
	Exited      uint8
	ExitCode    uint32
}

// recordTable is one fixed table of a Record.
type recordTable struct {
	name string
	lay  *layout
	get  func(r *events.Record) tableRef
	// set allocates the table with n rows and returns where its rows start.
	set func(r *events.Record, n int) unsafe.Pointer
}

// tableRef is a table to encode: its rows as a base pointer and count.
type tableRef struct {
	name string
	lay  *layout
	n    int
	base unsafe.Pointer
}

func refOf[T any](name string, lay *layout, rows []T) tableRef {
	return tableRef{name: name, lay: lay, n: len(rows), base: unsafe.Pointer(unsafe.SliceData(rows))}
}

// allocRows returns n zero rows (nil when n is 0) and their base pointer.
func allocRows[T any](n int) ([]T, unsafe.Pointer) {
	if n == 0 {
		return nil, nil
	}
	s := make([]T, n)
	return s, unsafe.Pointer(unsafe.SliceData(s))
}

func fixed[T any](name string, field func(*events.Record) *[]T) recordTable {
	lay := layoutOf[T]()
	return recordTable{
		name: name,
		lay:  lay,
		get:  func(r *events.Record) tableRef { return refOf(name, lay, *field(r)) },
		set: func(r *events.Record, n int) unsafe.Pointer {
			s, p := allocRows[T](n)
			*field(r) = s
			return p
		},
	}
}

var (
	shardLayout      = layoutOf[shardRow]()
	precompileLayout = layoutOf[events.Precompile]()
	initLayout       = layoutOf[events.Init]()
	finalizeLayout   = layoutOf[events.Finalize]()

	// headTables come before the precompile tables, tailTables after.
	headTables = []recordTable{
		fixed("cpu", func(r *events.Record) *[]events.CPU { return &r.CPU }),
		fixed("add_sub", func(r *events.Record) *[]events.ALU { return &r.AddSub }),
		fixed("lt", func(r *events.Record) *[]events.ALU { return &r.Lt }),
		fixed("shift", func(r *events.Record) *[]events.ALU { return &r.Shift }),
		fixed("bitwise", func(r *events.Record) *[]events.ALU { return &r.Bitwise }),
		fixed("clo_clz", func(r *events.Record) *[]events.ALU { return &r.CloClz }),
		fixed("bit_field", func(r *events.Record) *[]events.ALU { return &r.BitField }),
		fixed("mov_cond", func(r *events.Record) *[]events.ALU { return &r.MovCond }),
		fixed("mul", func(r *events.Record) *[]events.MulDiv { return &r.Mul }),
		fixed("div_rem", func(r *events.Record) *[]events.MulDiv { return &r.DivRem }),
		fixed("mem_instr", func(r *events.Record) *[]events.MemInstr { return &r.MemInstr }),
		fixed("branch", func(r *events.Record) *[]events.Branch { return &r.Branch }),
		fixed("jump", func(r *events.Record) *[]events.Jump { return &r.Jump }),
		fixed("syscall", func(r *events.Record) *[]events.Syscall { return &r.Syscall }),
	}
	tailTables = []recordTable{
		fixed("memory", func(r *events.Record) *[]events.Memory { return &r.Memory }),
		fixed("local", func(r *events.Record) *[]events.Local { return &r.Local }),
	}
)

// ColumnSchema is a column's name and width in bytes.
type ColumnSchema struct {
	Name  string
	Width int
}

// TableSchema is the name and columns of a table.
type TableSchema struct {
	Name    string
	Columns []ColumnSchema
}

func schemaOf(name string, l *layout) TableSchema {
	s := TableSchema{Name: name}
	for _, c := range l.cols {
		s.Columns = append(s.Columns, ColumnSchema{c.name, c.width})
	}
	return s
}

// Schemas returns every table a trace file can hold, in file order: the
// shard file's tables (with one entry "precompile_<code>" standing for all
// precompile tables), then the memory file's.
func Schemas() []TableSchema {
	s := []TableSchema{schemaOf(TableShard, shardLayout)}
	for _, t := range headTables {
		s = append(s, schemaOf(t.name, t.lay))
	}
	s = append(s, schemaOf(precompilePrefix+"<code>", precompileLayout))
	for _, t := range tailTables {
		s = append(s, schemaOf(t.name, t.lay))
	}
	return append(s, schemaOf(TableInit, initLayout), schemaOf(TableFinalize, finalizeLayout))
}

// ---------------------------------------------------------------------------
// Column codec.

// block is how many rows a column pass converts at a time: every column of
// a block is written before the next block is read, so the rows are read
// from memory once and stay in cache across the column passes.
const block = 256

// encodeTable writes t's columns, one after the other, to out, which holds
// exactly t.n*t.lay.width bytes.
func encodeTable(out []byte, t tableRef) {
	n, stride := t.n, t.lay.size
	var starts [maxColumns]int
	cols := t.lay.cols
	off := 0
	for i, c := range cols {
		starts[i] = off
		off += n * c.width
	}
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		row := unsafe.Add(t.base, uintptr(lo)*stride)
		for i, c := range cols {
			dst := out[starts[i]+lo*c.width : starts[i]+hi*c.width]
			p := unsafe.Add(row, c.off)
			switch c.width {
			case 1:
				put8(dst, p, stride)
			case 2:
				put16(dst, p, stride)
			case 4:
				put32(dst, p, stride)
			case 8:
				put64(dst, p, stride)
			}
		}
	}
}

// The put and get loops compute each row's address from the column's
// first (p + i*stride) rather than stepping a pointer, which would end one
// row past the slice's allocation.

func put8(dst []byte, p unsafe.Pointer, stride uintptr) {
	for i := range dst {
		dst[i] = *(*uint8)(unsafe.Add(p, uintptr(i)*stride))
	}
}

func put16(dst []byte, p unsafe.Pointer, stride uintptr) {
	for i := range len(dst) / 2 {
		binary.LittleEndian.PutUint16(dst[2*i:2*i+2], *(*uint16)(unsafe.Add(p, uintptr(i)*stride)))
	}
}

func put32(dst []byte, p unsafe.Pointer, stride uintptr) {
	for i := range len(dst) / 4 {
		binary.LittleEndian.PutUint32(dst[4*i:4*i+4], *(*uint32)(unsafe.Add(p, uintptr(i)*stride)))
	}
}

func put64(dst []byte, p unsafe.Pointer, stride uintptr) {
	for i := range len(dst) / 8 {
		binary.LittleEndian.PutUint64(dst[8*i:8*i+8], *(*uint64)(unsafe.Add(p, uintptr(i)*stride)))
	}
}

// decodeTable fills n rows at base (of layout l) from the columns of t,
// whose schema has been checked against l.
func decodeTable(base unsafe.Pointer, n int, l *layout, t *Table) {
	stride := l.size
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		row := unsafe.Add(base, uintptr(lo)*stride)
		for i, c := range l.cols {
			src := t.Columns[i].Data[lo*c.width : hi*c.width]
			p := unsafe.Add(row, c.off)
			switch c.width {
			case 1:
				get8(src, p, stride)
			case 2:
				get16(src, p, stride)
			case 4:
				get32(src, p, stride)
			case 8:
				get64(src, p, stride)
			}
		}
	}
}

func get8(src []byte, p unsafe.Pointer, stride uintptr) {
	for i, v := range src {
		*(*uint8)(unsafe.Add(p, uintptr(i)*stride)) = v
	}
}

func get16(src []byte, p unsafe.Pointer, stride uintptr) {
	for i := range len(src) / 2 {
		*(*uint16)(unsafe.Add(p, uintptr(i)*stride)) = binary.LittleEndian.Uint16(src[2*i : 2*i+2])
	}
}

func get32(src []byte, p unsafe.Pointer, stride uintptr) {
	for i := range len(src) / 4 {
		*(*uint32)(unsafe.Add(p, uintptr(i)*stride)) = binary.LittleEndian.Uint32(src[4*i : 4*i+4])
	}
}

func get64(src []byte, p unsafe.Pointer, stride uintptr) {
	for i := range len(src) / 8 {
		*(*uint64)(unsafe.Add(p, uintptr(i)*stride)) = binary.LittleEndian.Uint64(src[8*i : 8*i+8])
	}
}

// ---------------------------------------------------------------------------
// Payload: a header describing every table, then every column's data.

// appendTables appends the payload of tables ts to dst.
func appendTables(dst []byte, ts []tableRef) []byte {
	size := 4
	for _, t := range ts {
		size += 1 + len(t.name) + 8 + 4
		for _, c := range t.lay.cols {
			size += 1 + len(c.name) + 1
		}
		size += t.n * t.lay.width
	}
	start := len(dst)
	if cap(dst)-start < size {
		dst = append(make([]byte, 0, start+size), dst...)
	}
	b := dst
	b = binary.LittleEndian.AppendUint32(b, uint32(len(ts)))
	for _, t := range ts {
		b = append(b, byte(len(t.name)))
		b = append(b, t.name...)
		b = binary.LittleEndian.AppendUint64(b, uint64(t.n))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(t.lay.cols)))
		for _, c := range t.lay.cols {
			b = append(b, byte(len(c.name)))
			b = append(b, c.name...)
			b = append(b, byte(c.width))
		}
	}
	off := len(b)
	b = b[:start+size]
	for _, t := range ts {
		end := off + t.n*t.lay.width
		encodeTable(b[off:end], t)
		off = end
	}
	return b
}

// Column is one column of a parsed payload.
type Column struct {
	Name  string
	Width int    // bytes per value: 1, 2, 4 or 8
	Data  []byte // Rows*Width bytes, little-endian; aliases the payload
}

// Table is one table of a parsed payload.
type Table struct {
	Name    string
	Rows    uint64
	Columns []Column
}

// Uint returns row i of column c as an integer.
func (c *Column) Uint(i int) uint64 {
	switch c.Width {
	case 1:
		return uint64(c.Data[i])
	case 2:
		return uint64(binary.LittleEndian.Uint16(c.Data[2*i:]))
	case 4:
		return uint64(binary.LittleEndian.Uint32(c.Data[4*i:]))
	}
	return binary.LittleEndian.Uint64(c.Data[8*i:])
}

// payloadReader reads the header fields of a payload.
type payloadReader struct {
	b   []byte
	off int
	err error
}

func (r *payloadReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
	}
}

func (r *payloadReader) bytes(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b)-r.off {
		r.fail("header ends inside %s at offset %d (payload is %d bytes)", what, r.off, len(r.b))
		return nil
	}
	s := r.b[r.off : r.off+n]
	r.off += n
	return s
}

func (r *payloadReader) u8(what string) int {
	s := r.bytes(1, what)
	if s == nil {
		return 0
	}
	return int(s[0])
}

func (r *payloadReader) u32(what string) uint32 {
	s := r.bytes(4, what)
	if s == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(s)
}

func (r *payloadReader) u64(what string) uint64 {
	s := r.bytes(8, what)
	if s == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(s)
}

func (r *payloadReader) name(what string) string {
	n := r.u8(what + " name length")
	if r.err == nil && n == 0 {
		r.fail("empty %s name at offset %d", what, r.off-1)
	}
	s := r.bytes(n, what+" name")
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			r.fail("%s name %q has a character outside [a-z0-9_]", what, s)
			return ""
		}
	}
	return string(s)
}

// ParsePayload parses an uncompressed payload into its tables, checking
// that the header is well formed and that the column data it describes
// fills the payload exactly. Column data aliases b. It does not check which
// tables are present (DecodeRecord and DecodeMemory do).
func ParsePayload(b []byte) ([]Table, error) {
	r := &payloadReader{b: b}
	nt := r.u32("table count")
	// Each table header takes at least 14 bytes: refuse counts the payload
	// cannot hold before allocating for them.
	if r.err == nil && uint64(nt) > uint64(len(b)-r.off)/14 {
		r.fail("table count %d does not fit in a %d-byte payload", nt, len(b))
	}
	if r.err != nil {
		return nil, r.err
	}
	tables := make([]Table, nt)
	seen := map[string]bool{}
	for i := range tables {
		t := &tables[i]
		t.Name = r.name("table")
		if r.err == nil && seen[t.Name] {
			r.fail("table %q appears twice", t.Name)
		}
		seen[t.Name] = true
		t.Rows = r.u64("row count")
		nc := r.u32("column count")
		if r.err == nil && (nc == 0 || uint64(nc) > uint64(len(b)-r.off)/3) {
			r.fail("table %s: column count %d is impossible in a %d-byte payload", t.Name, nc, len(b))
		}
		if r.err != nil {
			return nil, r.err
		}
		t.Columns = make([]Column, nc)
		for j := range t.Columns {
			c := &t.Columns[j]
			c.Name = r.name("column")
			c.Width = r.u8("column width")
			if r.err == nil && c.Width != 1 && c.Width != 2 && c.Width != 4 && c.Width != 8 {
				r.fail("table %s column %s: width %d (want 1, 2, 4 or 8)", t.Name, c.Name, c.Width)
			}
		}
		if r.err != nil {
			return nil, r.err
		}
	}
	off := r.off
	for i := range tables {
		t := &tables[i]
		for j := range t.Columns {
			c := &t.Columns[j]
			left := uint64(len(b) - off)
			if t.Rows > left/uint64(c.Width) {
				return nil, fmt.Errorf("%w: table %s column %s: %d rows of %d bytes need more than the %d bytes left",
					ErrCorrupt, t.Name, c.Name, t.Rows, c.Width, left)
			}
			n := int(t.Rows) * c.Width
			c.Data = b[off : off+n : off+n]
			off += n
		}
	}
	if off != len(b) {
		return nil, fmt.Errorf("%w: table lengths add up to %d bytes, payload is %d", ErrCorrupt, off, len(b))
	}
	return tables, nil
}

// checkSchema checks that table t has the columns of layout l.
func checkSchema(t *Table, l *layout) error {
	if len(t.Columns) != len(l.cols) {
		return fmt.Errorf("%w: table %s has %d columns, want %d", ErrCorrupt, t.Name, len(t.Columns), len(l.cols))
	}
	for i, c := range l.cols {
		if got := t.Columns[i]; got.Name != c.name || got.Width != c.width {
			return fmt.Errorf("%w: table %s column %d is %s (%d bytes), want %s (%d bytes)",
				ErrCorrupt, t.Name, i, got.Name, got.Width, c.name, c.width)
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Records and memory tables.

// recordTables lists the tables of r in file order.
func recordTables(r *events.Record, head *shardRow) []tableRef {
	ts := make([]tableRef, 0, 1+len(headTables)+len(r.Precompiles)+len(tailTables))
	ts = append(ts, tableRef{name: TableShard, lay: shardLayout, n: 1, base: unsafe.Pointer(head)})
	for _, t := range headTables {
		ts = append(ts, t.get(r))
	}
	for _, code := range sortedCodes(r.Precompiles) {
		ts = append(ts, refOf(PrecompileTable(code), precompileLayout, r.Precompiles[code]))
	}
	for _, t := range tailTables {
		ts = append(ts, t.get(r))
	}
	return ts
}

func sortedCodes(m map[uint32][]events.Precompile) []uint32 {
	codes := make([]uint32, 0, len(m))
	for c := range m {
		codes = append(codes, c)
	}
	for i := 1; i < len(codes); i++ { // few codes: insertion sort
		for j := i; j > 0 && codes[j] < codes[j-1]; j-- {
			codes[j], codes[j-1] = codes[j-1], codes[j]
		}
	}
	return codes
}

func headOf(r *events.Record) shardRow {
	h := shardRow{
		Shard: r.Shard, StartStep: r.StartStep, Steps: r.Steps, StartCycle: r.StartCycle, Cycles: r.Cycles,
		StartPC: r.StartPC, StartNextPC: r.StartNextPC, EndPC: r.EndPC, EndNextPC: r.EndNextPC, ExitCode: r.ExitCode,
	}
	if r.Exited {
		h.Exited = 1
	}
	return h
}

// RowCounts returns the number of rows of every table of r but the shard
// table, by table name.
func RowCounts(r *events.Record) map[string]uint64 {
	var h shardRow
	m := map[string]uint64{}
	for _, t := range recordTables(r, &h)[1:] {
		m[t.name] = uint64(t.n)
	}
	return m
}

// EncodeRecord returns the uncompressed payload of a shard file holding r.
func EncodeRecord(r *events.Record) ([]byte, error) { return AppendRecord(nil, r) }

// AppendRecord appends the payload of r to dst (whose spare capacity it
// reuses when large enough).
func AppendRecord(dst []byte, r *events.Record) ([]byte, error) {
	if r == nil {
		return nil, errors.New("shard: nil record")
	}
	h := headOf(r)
	return appendTables(dst, recordTables(r, &h)), nil
}

// DecodeRecord decodes a shard payload made by EncodeRecord. Empty tables
// decode as nil slices; Precompiles is never nil.
func DecodeRecord(b []byte) (*events.Record, error) {
	tables, err := ParsePayload(b)
	if err != nil {
		return nil, err
	}
	i := 0
	next := func(name string, l *layout) (*Table, error) {
		if i >= len(tables) {
			return nil, fmt.Errorf("%w: table %s missing (payload has %d tables)", ErrCorrupt, name, len(tables))
		}
		t := &tables[i]
		if t.Name != name {
			return nil, fmt.Errorf("%w: table %d is %s, want %s", ErrCorrupt, i, t.Name, name)
		}
		i++
		return t, checkSchema(t, l)
	}
	t, err := next(TableShard, shardLayout)
	if err != nil {
		return nil, err
	}
	if t.Rows != 1 {
		return nil, fmt.Errorf("%w: table shard has %d rows, want 1", ErrCorrupt, t.Rows)
	}
	var h shardRow
	decodeTable(unsafe.Pointer(&h), 1, shardLayout, t)
	if h.Exited > 1 {
		return nil, fmt.Errorf("%w: table shard: exited is %d, want 0 or 1", ErrCorrupt, h.Exited)
	}
	r := &events.Record{
		Shard: h.Shard, StartStep: h.StartStep, Steps: h.Steps, StartCycle: h.StartCycle, Cycles: h.Cycles,
		StartPC: h.StartPC, StartNextPC: h.StartNextPC, EndPC: h.EndPC, EndNextPC: h.EndNextPC,
		Exited: h.Exited == 1, ExitCode: h.ExitCode, Precompiles: map[uint32][]events.Precompile{},
	}
	fill := func(rt recordTable) error {
		t, err := next(rt.name, rt.lay)
		if err != nil {
			return err
		}
		n := int(t.Rows)
		decodeTable(rt.set(r, n), n, rt.lay, t)
		return nil
	}
	for _, rt := range headTables {
		if err := fill(rt); err != nil {
			return nil, err
		}
	}
	havePrev, prev := false, uint32(0)
	for i < len(tables) && strings.HasPrefix(tables[i].Name, precompilePrefix) {
		t := &tables[i]
		code, ok := parsePrecompileTable(t.Name)
		if !ok {
			return nil, fmt.Errorf("%w: bad precompile table name %s", ErrCorrupt, t.Name)
		}
		if havePrev && code <= prev {
			return nil, fmt.Errorf("%w: precompile table %s out of order", ErrCorrupt, t.Name)
		}
		havePrev, prev = true, code
		if err := checkSchema(t, precompileLayout); err != nil {
			return nil, err
		}
		i++
		rows, p := allocRows[events.Precompile](int(t.Rows))
		decodeTable(p, int(t.Rows), precompileLayout, t)
		if rows == nil {
			rows = []events.Precompile{}
		}
		r.Precompiles[code] = rows
	}
	for _, rt := range tailTables {
		if err := fill(rt); err != nil {
			return nil, err
		}
	}
	if i != len(tables) {
		return nil, fmt.Errorf("%w: unexpected table %s after local", ErrCorrupt, tables[i].Name)
	}
	return r, nil
}

// EncodeMemory returns the uncompressed payload of a memory file.
func EncodeMemory(init []events.Init, fin []events.Finalize) ([]byte, error) {
	return appendTables(nil, []tableRef{
		refOf(TableInit, initLayout, init),
		refOf(TableFinalize, finalizeLayout, fin),
	}), nil
}

// DecodeMemory decodes a memory payload made by EncodeMemory.
func DecodeMemory(b []byte) ([]events.Init, []events.Finalize, error) {
	tables, err := ParsePayload(b)
	if err != nil {
		return nil, nil, err
	}
	if len(tables) != 2 || tables[0].Name != TableInit || tables[1].Name != TableFinalize {
		names := make([]string, len(tables))
		for i, t := range tables {
			names[i] = t.Name
		}
		return nil, nil, fmt.Errorf("%w: tables are [%s], want [init finalize]", ErrCorrupt, strings.Join(names, " "))
	}
	if err := checkSchema(&tables[0], initLayout); err != nil {
		return nil, nil, err
	}
	if err := checkSchema(&tables[1], finalizeLayout); err != nil {
		return nil, nil, err
	}
	init, p := allocRows[events.Init](int(tables[0].Rows))
	decodeTable(p, len(init), initLayout, &tables[0])
	fin, p := allocRows[events.Finalize](int(tables[1].Rows))
	decodeTable(p, len(fin), finalizeLayout, &tables[1])
	return init, fin, nil
}

// ---------------------------------------------------------------------------
// Files: header, compressed payload, trailer.

var encoders = sync.Pool{New: func() any {
	e, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		panic(err) // only on invalid options
	}
	return e
}}

// Pack returns the file holding payload: header, zstd-compressed payload,
// trailer.
func Pack(payload []byte) []byte {
	return AppendPack(make([]byte, 0, headerSize+len(payload)/2+trailerSize), payload)
}

// AppendPack appends the file holding payload to dst.
func AppendPack(dst, payload []byte) []byte {
	start := len(dst)
	dst = append(dst, Magic...)
	dst = binary.LittleEndian.AppendUint32(dst, FormatVersion)
	e := encoders.Get().(*zstd.Encoder)
	dst = e.EncodeAll(payload, dst)
	encoders.Put(e)
	sum := sha256.Sum256(dst[start+headerSize:])
	dst = binary.LittleEndian.AppendUint64(dst, uint64(len(payload)))
	dst = append(dst, sum[:]...)
	return append(dst, Magic...)
}

// Unpack checks a file's header, trailer and checksum and returns its
// decompressed payload.
func Unpack(data []byte) ([]byte, error) {
	if len(data) < len(Magic) {
		if bytes.HasPrefix([]byte(Magic), data) {
			return nil, fmt.Errorf("%w: file is %d bytes, a trace file has at least %d", ErrTruncated, len(data), MinFileSize)
		}
		return nil, fmt.Errorf("%w: file does not start with %q", ErrBadMagic, Magic)
	}
	if string(data[:len(Magic)]) != Magic {
		return nil, fmt.Errorf("%w: file starts with %q, want %q", ErrBadMagic, data[:len(Magic)], Magic)
	}
	if len(data) < MinFileSize {
		return nil, fmt.Errorf("%w: file is %d bytes, a trace file has at least %d", ErrTruncated, len(data), MinFileSize)
	}
	if v := binary.LittleEndian.Uint32(data[len(Magic):]); v != FormatVersion {
		return nil, fmt.Errorf("%w: version %d, this reader supports %d", ErrBadVersion, v, FormatVersion)
	}
	trailer := data[len(data)-trailerSize:]
	if string(trailer[8+sha256.Size:]) != Magic {
		return nil, fmt.Errorf("%w: file does not end with the trailer magic %q (cut short or damaged trailer)", ErrTruncated, Magic)
	}
	ulen := binary.LittleEndian.Uint64(trailer)
	if ulen < 4 || ulen > MaxPayload {
		return nil, fmt.Errorf("%w: trailer gives an uncompressed length of %d bytes (allowed 4 to %d)", ErrCorrupt, ulen, uint64(MaxPayload))
	}
	comp := data[headerSize : len(data)-trailerSize]
	if sum := sha256.Sum256(comp); !bytes.Equal(sum[:], trailer[8:8+sha256.Size]) {
		return nil, fmt.Errorf("%w: SHA-256 of the compressed payload is %x, the trailer says %x",
			ErrChecksum, sum, trailer[8:8+sha256.Size])
	}
	// Decode no more than the trailer announces: a frame announcing more is
	// refused before its output is allocated. The limit has a floor because
	// the decoder also bounds the window by it, and a small payload's
	// window may exceed its size.
	var fh zstd.Header
	if err := fh.Decode(comp); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecompress, err)
	}
	if fh.HasFCS && fh.FrameContentSize > ulen {
		return nil, fmt.Errorf("%w: the zstd frame holds %d bytes, the trailer says %d", ErrCorrupt, fh.FrameContentSize, ulen)
	}
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(max(ulen, 1<<27)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecompress, err)
	}
	defer d.Close()
	out, err := d.DecodeAll(comp, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecompress, err)
	}
	if uint64(len(out)) != ulen {
		return nil, fmt.Errorf("%w: payload decompresses to %d bytes, the trailer says %d", ErrCorrupt, len(out), ulen)
	}
	return out, nil
}

// fileError prefixes err with the file name.
func fileError(name string, err error) error { return fmt.Errorf("%s: %w", name, err) }

// DecodeShardFile decodes the contents of a shard file; name is used in
// errors.
func DecodeShardFile(name string, data []byte) (*events.Record, error) {
	p, err := Unpack(data)
	if err != nil {
		return nil, fileError(name, err)
	}
	r, err := DecodeRecord(p)
	if err != nil {
		return nil, fileError(name, err)
	}
	return r, nil
}

// DecodeMemoryFile decodes the contents of a memory file; name is used in
// errors.
func DecodeMemoryFile(name string, data []byte) ([]events.Init, []events.Finalize, error) {
	p, err := Unpack(data)
	if err != nil {
		return nil, nil, fileError(name, err)
	}
	init, fin, err := DecodeMemory(p)
	if err != nil {
		return nil, nil, fileError(name, err)
	}
	return init, fin, nil
}

// payloads recycles payload buffers between shard files.
var payloads sync.Pool

// packRecord returns the file bytes of r.
func packRecord(r *events.Record) ([]byte, error) {
	var buf []byte
	if p, ok := payloads.Get().(*[]byte); ok {
		buf = (*p)[:0]
	}
	payload, err := AppendRecord(buf, r)
	if err != nil {
		return nil, err
	}
	data := Pack(payload)
	payloads.Put(&payload)
	return data, nil
}

// InfoOf returns the manifest entry of r without its file fields.
func InfoOf(r *events.Record) ShardInfo {
	return ShardInfo{
		Index: r.Shard, StartStep: r.StartStep, Steps: r.Steps, StartCycle: r.StartCycle, Cycles: r.Cycles,
		StartPC: Hex32(r.StartPC), StartNextPC: Hex32(r.StartNextPC), EndPC: Hex32(r.EndPC), EndNextPC: Hex32(r.EndNextPC),
		Rows: RowCounts(r),
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// WriteShardFile writes r to the file path (atomically: a temporary file in
// the same directory renamed into place) and returns its manifest entry.
func WriteShardFile(path string, r *events.Record) (ShardInfo, error) {
	data, err := packRecord(r)
	if err != nil {
		return ShardInfo{}, err
	}
	if err := writeFileAtomic(path, data); err != nil {
		return ShardInfo{}, err
	}
	info := InfoOf(r)
	info.File, info.Bytes, info.SHA256 = filepath.Base(path), int64(len(data)), sha256Hex(data)
	return info, nil
}

// ReadShardFile reads and decodes a shard file.
func ReadShardFile(path string) (*events.Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return DecodeShardFile(path, data)
}

// WriteMemoryFile writes the run's init and finalize rows to the file path
// (atomically) and returns its manifest entry.
func WriteMemoryFile(path string, init []events.Init, fin []events.Finalize) (MemoryInfo, error) {
	payload, err := EncodeMemory(init, fin)
	if err != nil {
		return MemoryInfo{}, err
	}
	data := Pack(payload)
	if err := writeFileAtomic(path, data); err != nil {
		return MemoryInfo{}, err
	}
	return MemoryInfo{
		File: filepath.Base(path), Bytes: int64(len(data)), SHA256: sha256Hex(data),
		InitRows: uint64(len(init)), FinalizeRows: uint64(len(fin)),
	}, nil
}

// ReadMemoryFile reads and decodes a memory file.
func ReadMemoryFile(path string) ([]events.Init, []events.Finalize, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return DecodeMemoryFile(path, data)
}
