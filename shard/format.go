// Package shard writes and reads zkmips trace files: one file per shard
// holding the shard's events.Log table by table and column by column (a
// reader expands it into the shard's events.Record), a memory file with
// the run's init and finalize rows, and the manifest that ties a trace
// directory together. docs/trace-format.md is the specification.
//
// A file is a header (magic, version), a zstd-compressed payload and a
// trailer (uncompressed length, SHA-256 of the compressed payload, magic).
// The payload is self-describing: it names every table and every column with
// its width and encoding, so a reader needs no Go struct definitions.
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
	FormatVersion = 4
	// MaxPayload bounds the uncompressed payload a reader accepts.
	MaxPayload = 64 << 30

	headerSize  = 8 + 4      // magic, version
	trailerSize = 8 + 32 + 8 // uncompressed length, SHA-256, magic
	// MinFileSize is the size of a file with an empty compressed payload.
	MinFileSize = headerSize + trailerSize
)

// Table names of the files besides a shard file's log tables.
const (
	TableShard    = "shard"
	TableInit     = "init"
	TableFinalize = "finalize"

	precompilePrefix = "precompile_"
)

// PrecompileTable returns the table name of precompile code:
// "precompile_" and the code as 8 lowercase hex digits.
func PrecompileTable(code uint32) string { return events.PrecompileTable(code) }

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
	// mixed is set by the struct tag zkt:"mixed" on a u32 column of
	// arbitrary data (written values): the writer stores it raw when that
	// compresses better (see rawWins).
	mixed bool
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
		l.cols = append(l.cols, column{name: snake(f.Name), off: f.Offset, width: w, mixed: f.Tag.Get("zkt") == "mixed" && w == 4})
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
	Faulted     uint8
	BigEndian   uint8
}

// writeRow is a row of the writes table. A []uint32 of written values has
// the layout of a []writeRow.
type writeRow struct {
	Value uint32 `zkt:"mixed"`
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

// logTable is one table of a shard file: a field of events.Log.
type logTable struct {
	name string
	lay  *layout
	get  func(l *events.Log) tableRef
	// set allocates the table with n rows and returns where its rows start.
	set func(l *events.Log, n int) unsafe.Pointer
}

func logField[T any](name string, field func(*events.Log) *[]T) logTable {
	lay := layoutOf[T]()
	return logTable{
		name: name,
		lay:  lay,
		get:  func(l *events.Log) tableRef { return refOf(name, lay, *field(l)) },
		set: func(l *events.Log, n int) unsafe.Pointer {
			s, p := allocRows[T](n)
			*field(l) = s
			return p
		},
	}
}

// namedLayout is a table name and its row layout.
type namedLayout struct {
	name string
	lay  *layout
}

var (
	shardLayout      = layoutOf[shardRow]()
	writesLayout     = layoutOf[writeRow]()
	precompileLayout = layoutOf[events.Precompile]()
	initLayout       = layoutOf[events.Init]()
	finalizeLayout   = layoutOf[events.Finalize]()

	// logTables are a shard file's tables after "shard", in file order.
	logTables = []logTable{
		logField("local", func(l *events.Log) *[]events.Local { return &l.Local }),
		logField("code", func(l *events.Log) *[]events.CodeRow { return &l.Code }),
		{
			name: "writes",
			lay:  writesLayout,
			get: func(l *events.Log) tableRef {
				return tableRef{name: "writes", lay: writesLayout, n: len(l.Writes), base: unsafe.Pointer(unsafe.SliceData(l.Writes))}
			},
			set: func(l *events.Log, n int) unsafe.Pointer {
				s, p := allocRows[uint32](n)
				l.Writes = s
				return p
			},
		},
		logField("control", func(l *events.Log) *[]events.Control { return &l.Control }),
		logField("syscalls", func(l *events.Log) *[]events.SyscallLog { return &l.Syscalls }),
		logField("sys_access", func(l *events.Log) *[]events.SysAccess { return &l.SysAccess }),
	}

	// recordTables are the tables a shard expands to (events.Record), in
	// the order docs/trace-format.md lists them; "precompile_<code>"
	// stands for every precompile table.
	recordTables = []namedLayout{
		{"cpu", layoutOf[events.CPU]()},
		{"add_sub", layoutOf[events.ALU]()},
		{"lt", layoutOf[events.ALU]()},
		{"shift", layoutOf[events.ALU]()},
		{"bitwise", layoutOf[events.ALU]()},
		{"clo_clz", layoutOf[events.ALU]()},
		{"bit_field", layoutOf[events.ALU]()},
		{"mov_cond", layoutOf[events.ALU]()},
		{"mul", layoutOf[events.MulDiv]()},
		{"div_rem", layoutOf[events.MulDiv]()},
		{"mem_instr", layoutOf[events.MemInstr]()},
		{"branch", layoutOf[events.Branch]()},
		{"jump", layoutOf[events.Jump]()},
		{"syscall", layoutOf[events.Syscall]()},
		{precompilePrefix + "<code>", precompileLayout},
		{"memory", layoutOf[events.Memory]()},
		{"local", layoutOf[events.Local]()},
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

// Schemas returns every table a trace file holds, in file order: the
// shard file's, then the memory file's.
func Schemas() []TableSchema {
	s := []TableSchema{schemaOf(TableShard, shardLayout)}
	for _, t := range logTables {
		s = append(s, schemaOf(t.name, t.lay))
	}
	return append(s, schemaOf(TableInit, initLayout), schemaOf(TableFinalize, finalizeLayout))
}

// RecordSchemas returns the tables a shard file expands to (an
// events.Record), with one entry "precompile_<code>" standing for all
// precompile tables.
func RecordSchemas() []TableSchema {
	var s []TableSchema
	for _, t := range recordTables {
		s = append(s, schemaOf(t.name, t.lay))
	}
	return s
}

// ---------------------------------------------------------------------------
// Column encodings.

// Encoding is how a column's values are stored in the payload: the
// encoding byte that follows the column's width in the payload header.
// Bit 0 is the delta transform, bit 1 the byte-plane layout; a writer takes
// the deltas first and lays them out in planes, a reader gathers the planes
// first and undoes the deltas.
type Encoding uint8

const (
	// EncRaw stores the values one after the other, little-endian.
	EncRaw Encoding = 0
	// EncDelta stores, instead of value i, value i minus value i-1 modulo
	// 2^(8*width) (value -1 is 0, so the first value is stored as is),
	// little-endian, one after the other. A reader undoes it with a
	// running sum modulo 2^(8*width).
	EncDelta Encoding = 1
	// EncPlanes stores the values byte-transposed: byte 0 (the least
	// significant) of every value, then byte 1 of every value, and so on,
	// width planes of one byte per row.
	EncPlanes Encoding = 2
	// EncDeltaPlanes stores the deltas of EncDelta in the planes of
	// EncPlanes.
	EncDeltaPlanes Encoding = 3

	numEncodings = 4
)

func (e Encoding) delta() bool  { return e&EncDelta != 0 }
func (e Encoding) planes() bool { return e&EncPlanes != 0 }

// The writer's choice (docs/trace-format.md, section 4): a column of width
// 1 is raw; a wider column is in planes, with the delta transform when at
// least deltaNum in deltaDen of its consecutive pairs strictly increase
// (clocks, sorted addresses, pointers walking an array), so that its deltas
// are small and repetitive. The choice depends only on the values, so the
// same rows give the same bytes.
const deltaNum, deltaDen = 9, 10

// rawWins reports whether u32 column c of t compresses smaller left raw
// than in planes, judged by compressing a sample of sampleRows rows from
// the middle of the column both ways. Planes help when the values' high
// bytes repeat (small integers, pointers into one region); values that
// look random in their high bytes but repeat whole (a hash's state words,
// the keys a sort moves) compress better, and faster, raw. No statistic
// of the values told the two apart on real guests; zstd itself does.
func rawWins(t tableRef, c column) bool {
	if t.n < sampleRows {
		return false
	}
	buf := samples.Get().(*[2 * 4 * sampleRows]byte)
	defer samples.Put(buf)
	raw, planes := buf[:4*sampleRows], buf[4*sampleRows:]
	lo := (t.n - sampleRows) / 2
	for j := range sampleRows {
		v := *(*uint32)(unsafe.Add(t.base, uintptr(lo+j)*t.lay.size+c.off))
		binary.LittleEndian.PutUint32(raw[4*j:], v)
		planes[j], planes[sampleRows+j], planes[2*sampleRows+j], planes[3*sampleRows+j] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	e := encoders.Get().(*zstd.Encoder)
	defer encoders.Put(e)
	zb := samples.Get().(*[2 * 4 * sampleRows]byte)
	defer samples.Put(zb)
	nr := len(e.EncodeAll(raw, zb[:0]))
	np := len(e.EncodeAll(planes, zb[:0]))
	return nr < np
}

// sampleRows is the size of rawWins's sample (64 KiB of values).
const sampleRows = 1 << 14

var samples = sync.Pool{New: func() any { return new([2 * 4 * sampleRows]byte) }}

// chooseEncoding returns the encoding of a column of width bytes and n rows
// of which inc consecutive pairs strictly increase.
func chooseEncoding(width, n, inc int) Encoding {
	switch {
	case width == 1:
		return EncRaw
	case n >= 2 && deltaDen*uint64(inc) >= deltaNum*uint64(n-1):
		return EncDeltaPlanes
	}
	return EncPlanes
}

// ---------------------------------------------------------------------------
// Column codec.

// block is how many rows a column pass converts at a time: every column of
// a block is written before the next block is read, so the rows are read
// from memory once and stay in cache across the column passes.
const block = 256

// load returns the value of width bytes at p.
func load(p unsafe.Pointer, width int) uint64 {
	switch width {
	case 1:
		return uint64(*(*uint8)(p))
	case 2:
		return uint64(*(*uint16)(p))
	case 4:
		return uint64(*(*uint32)(p))
	}
	return *(*uint64)(p)
}

// encodeTable writes t's columns, one after the other, to out, which holds
// exactly t.n*t.lay.width bytes, and returns their encodings: those of
// force, or if force is nil the writer's choice (chooseEncoding). To
// choose in one pass over the rows, it guesses each column's encoding from
// its first block, counts the increasing pairs while it writes, and
// re-encodes in place the rare column whose guess was wrong.
func encodeTable(out []byte, t tableRef, force *[maxColumns]Encoding) [maxColumns]Encoding {
	n, stride, cols := t.n, t.lay.size, t.lay.cols
	var enc [maxColumns]Encoding
	var data [maxColumns][]byte
	off := 0
	for i, c := range cols {
		switch {
		case force != nil:
			enc[i] = force[i]
		case c.mixed && rawWins(t, c):
			enc[i] = EncRaw
		case c.width > 1:
			m, inc := min(n, block), 0
			for j := 1; j < m; j++ {
				row := unsafe.Add(t.base, uintptr(j)*stride+c.off)
				if load(row, c.width) > load(unsafe.Add(row, -int(stride)), c.width) {
					inc++
				}
			}
			enc[i] = chooseEncoding(c.width, m, inc)
		}
		data[i] = out[off : off+n*c.width]
		off += n * c.width
	}
	var prev [maxColumns]uint64 // the value of the row before, for deltas
	var inc [maxColumns]int     // rows greater than the row before
	var vals [block]uint64
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		row := unsafe.Add(t.base, uintptr(lo)*stride)
		for i, c := range cols {
			p, e, col := unsafe.Add(row, c.off), enc[i], data[i]
			switch {
			case c.width == 4 && e.planes(): // the common case, fused
				inc[i] += putPlanes32(col, n, lo, hi, p, stride, e.delta(), &prev[i])
			case e == EncRaw:
				dst := col[lo*c.width : hi*c.width]
				switch c.width {
				case int(stride): // a one-column table: the rows are the column
					copy(dst, unsafe.Slice((*byte)(p), len(dst)))
				case 1:
					put8(dst, p, stride)
				case 2:
					put16(dst, p, stride)
				case 4:
					put32(dst, p, stride)
				case 8:
					put64(dst, p, stride)
				}
			default:
				v := vals[:hi-lo]
				loadRows(v, p, stride, c.width)
				pv := prev[i]
				for j, x := range v {
					if x > pv {
						inc[i]++
					}
					if e.delta() {
						v[j] = x - pv
					}
					pv = x
				}
				prev[i] = pv
				storeValues(col, n, lo, c.width, e.planes(), v)
			}
		}
	}
	if force != nil {
		return enc
	}
	for i, c := range cols {
		if n > 0 && load(unsafe.Add(t.base, c.off), c.width) > 0 {
			inc[i]-- // row 0 was compared with 0
		}
		if e := chooseEncoding(c.width, n, inc[i]); e != enc[i] && enc[i] != EncRaw {
			// A wrong guess, so a column of width 2 or more: both
			// encodings are in planes.
			recodePlanes(data[i], n, c.width, e.delta())
			enc[i] = e
		}
	}
	return enc
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

// transpose4 transposes the 4×4 byte matrix whose rows are the 32-bit
// halves of a (rows 0 and 1, low half first) and b (rows 2 and 3): byte k
// of row r goes to byte r of row k. It swaps the top-right and bottom-left
// 2×2 blocks, then transposes each block.
func transpose4(a, b uint64) (uint64, uint64) {
	t := (a>>16 ^ b) & 0x0000ffff0000ffff
	b ^= t
	a ^= t << 16
	t = (a>>24 ^ a) & 0x00000000ff00ff00
	a ^= t ^ t<<24
	t = (b>>24 ^ b) & 0x00000000ff00ff00
	b ^= t ^ t<<24
	return a, b
}

// putPlanes32 writes rows [lo, hi) of a 32-bit column of n rows (at p,
// stride apart) into the four planes of col, as deltas if delta, *prev
// being the value of row lo-1. It returns how many rows are greater than
// the row before. Four rows at a time, it transposes their bytes in
// registers and writes 4 bytes to each plane. (For 32-bit values, prev-v
// in 64 bits has its top bit set exactly when v > prev: no branch to
// mispredict.)
func putPlanes32(col []byte, n, lo, hi int, p unsafe.Pointer, stride uintptr, delta bool, prev *uint64) int {
	b0 := col[lo:hi]
	b1 := col[n+lo : n+hi][:len(b0)]
	b2 := col[2*n+lo : 2*n+hi][:len(b0)]
	b3 := col[3*n+lo : 3*n+hi][:len(b0)]
	pv, inc := *prev, uint64(0)
	i := 0
	for ; i+4 <= len(b0); i += 4 {
		q := unsafe.Add(p, uintptr(i)*stride)
		v0 := uint64(*(*uint32)(q))
		v1 := uint64(*(*uint32)(unsafe.Add(q, stride)))
		v2 := uint64(*(*uint32)(unsafe.Add(q, 2*stride)))
		v3 := uint64(*(*uint32)(unsafe.Add(q, 3*stride)))
		inc += (pv-v0)>>63 + (v0-v1)>>63 + (v1-v2)>>63 + (v2-v3)>>63
		if delta {
			v0, v1, v2, v3, pv = v0-pv, v1-v0, v2-v1, v3-v2, v3
		} else {
			pv = v3
		}
		a, b := transpose4(v0&0xffffffff|v1<<32, v2&0xffffffff|v3<<32)
		binary.LittleEndian.PutUint32(b0[i:], uint32(a))
		binary.LittleEndian.PutUint32(b1[i:], uint32(a>>32))
		binary.LittleEndian.PutUint32(b2[i:], uint32(b))
		binary.LittleEndian.PutUint32(b3[i:], uint32(b>>32))
	}
	for ; i < len(b0); i++ {
		v := uint64(*(*uint32)(unsafe.Add(p, uintptr(i)*stride)))
		inc += (pv - v) >> 63
		d := v
		if delta {
			d = v - pv
		}
		pv = v
		b0[i], b1[i], b2[i], b3[i] = byte(d), byte(d>>8), byte(d>>16), byte(d>>24)
	}
	*prev = pv
	return int(inc)
}

// recodePlanes replaces the values of col, a column of n rows of width
// bytes in planes, by their deltas if delta, else the deltas in it by the
// values.
func recodePlanes(col []byte, n, width int, delta bool) {
	from := EncDeltaPlanes
	if delta {
		from = EncPlanes
	}
	c := Column{Width: width, Encoding: from, Data: col}
	var vals [block]uint64
	var acc, pv uint64
	for lo := 0; lo < n; lo += block {
		v := vals[:min(block, n-lo)]
		c.values(v, lo, &acc)
		if delta {
			for j, x := range v {
				v[j], pv = x-pv, x
			}
		}
		storeValues(col, n, lo, width, true, v)
	}
}

// loadRows reads len(v) values of width bytes from rows at p, stride apart.
func loadRows(v []uint64, p unsafe.Pointer, stride uintptr, width int) {
	for i := range v {
		v[i] = load(unsafe.Add(p, uintptr(i)*stride), width)
	}
}

// storeRows writes the values v, truncated to width bytes, to rows at p,
// stride apart.
func storeRows(v []uint64, p unsafe.Pointer, stride uintptr, width int) {
	for i, x := range v {
		q := unsafe.Add(p, uintptr(i)*stride)
		switch width {
		case 1:
			*(*uint8)(q) = uint8(x)
		case 2:
			*(*uint16)(q) = uint16(x)
		case 4:
			*(*uint32)(q) = uint32(x)
		default:
			*(*uint64)(q) = x
		}
	}
}

// storeValues writes v, truncated to width bytes, as rows lo.. of col, the
// data of a column of n rows: little-endian one after the other, or in
// planes.
func storeValues(col []byte, n, lo, width int, planes bool, v []uint64) {
	if planes {
		for k := range width {
			plane := col[k*n+lo : k*n+lo+len(v)]
			for i, x := range v {
				plane[i] = byte(x >> (8 * k))
			}
		}
		return
	}
	dst := col[lo*width : (lo+len(v))*width]
	for i, x := range v {
		switch width {
		case 1:
			dst[i] = byte(x)
		case 2:
			binary.LittleEndian.PutUint16(dst[2*i:], uint16(x))
		case 4:
			binary.LittleEndian.PutUint32(dst[4*i:], uint32(x))
		default:
			binary.LittleEndian.PutUint64(dst[8*i:], x)
		}
	}
}

// decodeTable fills n rows at base (of layout l) from the columns of t,
// whose schema has been checked against l.
func decodeTable(base unsafe.Pointer, n int, l *layout, t *Table) {
	stride := l.size
	var acc [maxColumns]uint64 // running sums, for deltas
	var vals [block]uint64
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		row := unsafe.Add(base, uintptr(lo)*stride)
		for i, c := range l.cols {
			col := &t.Columns[i]
			p, e := unsafe.Add(row, c.off), col.Encoding
			switch {
			case c.width == 4 && e.planes():
				getPlanes32(col.Data, n, lo, hi, p, stride, e.delta(), &acc[i])
			case e == EncRaw:
				src := col.Data[lo*c.width : hi*c.width]
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
			default:
				v := vals[:hi-lo]
				col.values(v, lo, &acc[i])
				storeRows(v, p, stride, c.width)
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

// getPlanes32 fills rows [lo, hi) (at p, stride apart) from the four
// planes of col, a 32-bit column of n rows, adding each to the running sum
// *acc if delta. Four rows at a time, it reads 4 bytes of each plane and
// transposes them in registers.
func getPlanes32(col []byte, n, lo, hi int, p unsafe.Pointer, stride uintptr, delta bool, acc *uint64) {
	b0 := col[lo:hi]
	b1 := col[n+lo : n+hi][:len(b0)]
	b2 := col[2*n+lo : 2*n+hi][:len(b0)]
	b3 := col[3*n+lo : 3*n+hi][:len(b0)]
	s := uint32(*acc)
	i := 0
	for ; i+4 <= len(b0); i += 4 {
		a := uint64(binary.LittleEndian.Uint32(b0[i:])) | uint64(binary.LittleEndian.Uint32(b1[i:]))<<32
		b := uint64(binary.LittleEndian.Uint32(b2[i:])) | uint64(binary.LittleEndian.Uint32(b3[i:]))<<32
		a, b = transpose4(a, b)
		v0, v1, v2, v3 := uint32(a), uint32(a>>32), uint32(b), uint32(b>>32)
		if delta {
			v0 += s
			v1 += v0
			v2 += v1
			v3 += v2
			s = v3
		}
		q := unsafe.Add(p, uintptr(i)*stride)
		*(*uint32)(q) = v0
		*(*uint32)(unsafe.Add(q, stride)) = v1
		*(*uint32)(unsafe.Add(q, 2*stride)) = v2
		*(*uint32)(unsafe.Add(q, 3*stride)) = v3
	}
	for ; i < len(b0); i++ {
		v := uint32(b0[i]) | uint32(b1[i])<<8 | uint32(b2[i])<<16 | uint32(b3[i])<<24
		if delta {
			v += s
			s = v
		}
		*(*uint32)(unsafe.Add(p, uintptr(i)*stride)) = v
	}
	*acc = uint64(s)
}

// ---------------------------------------------------------------------------
// Payload: a header describing every table, then every column's data.

// appendTables appends the payload of tables ts to dst (whose spare
// capacity it reuses when large enough), choosing each column's encoding.
func appendTables(dst []byte, ts []tableRef) []byte { return appendTablesWith(dst, ts, nil) }

// appendTablesWith appends the payload of tables ts to dst, column j of
// table i in encoding force[i][j], or in the writer's choice if force is
// nil.
func appendTablesWith(dst []byte, ts []tableRef, force [][maxColumns]Encoding) []byte {
	hsize, size := 4, 0
	for _, t := range ts {
		hsize += 1 + len(t.name) + 8 + 4
		for _, c := range t.lay.cols {
			hsize += 1 + len(c.name) + 1 + 1
		}
		size += t.n * t.lay.width
	}
	size += hsize
	start := len(dst)
	if cap(dst)-start < size {
		dst = append(make([]byte, 0, start+size), dst...)
	}
	// The columns first, which settles their encodings, then the header
	// in front of them.
	b := dst[:start+size]
	encs := make([][maxColumns]Encoding, len(ts))
	off := start + hsize
	for i, t := range ts {
		var f *[maxColumns]Encoding
		if force != nil {
			f = &force[i]
		}
		end := off + t.n*t.lay.width
		encs[i] = encodeTable(b[off:end], t, f)
		off = end
	}
	h := b[:start]
	h = binary.LittleEndian.AppendUint32(h, uint32(len(ts)))
	for i, t := range ts {
		h = append(h, byte(len(t.name)))
		h = append(h, t.name...)
		h = binary.LittleEndian.AppendUint64(h, uint64(t.n))
		h = binary.LittleEndian.AppendUint32(h, uint32(len(t.lay.cols)))
		for j, c := range t.lay.cols {
			h = append(h, byte(len(c.name)))
			h = append(h, c.name...)
			h = append(h, byte(c.width), byte(encs[i][j]))
		}
	}
	if len(h) != start+hsize {
		panic("shard: payload header size miscounted")
	}
	return b
}

// Column is one column of a parsed payload. Values and Plain decode it.
type Column struct {
	Name     string
	Width    int      // bytes per value: 1, 2, 4 or 8
	Encoding Encoding // how Data stores the values
	Data     []byte   // Rows*Width bytes as stored; aliases the payload
}

// Table is one table of a parsed payload.
type Table struct {
	Name    string
	Rows    uint64
	Columns []Column
}

// rows returns the column's number of values.
func (c *Column) rows() int { return len(c.Data) / c.Width }

// stored returns the number stored for row i of a column not in planes
// (a delta for EncDelta).
func (c *Column) stored(i int) uint64 {
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

// mask returns the bits of a value of width bytes.
func mask(width int) uint64 { return ^uint64(0) >> (64 - 8*width) }

// Values returns the column's values as integers.
func (c *Column) Values() []uint64 {
	out := make([]uint64, c.rows())
	var acc uint64
	for lo := 0; lo < len(out); lo += block {
		c.values(out[lo:min(lo+block, len(out))], lo, &acc)
	}
	return out
}

// values fills v with the values of rows lo.. of the column, undoing the
// delta transform with the running sum *acc (the value of row lo-1).
func (c *Column) values(v []uint64, lo int, acc *uint64) {
	w := c.Width
	if c.Encoding.planes() {
		n := c.rows()
		clear(v)
		for k := range w {
			plane := c.Data[k*n+lo : k*n+lo+len(v)]
			for i, b := range plane {
				v[i] |= uint64(b) << (8 * k)
			}
		}
	} else {
		for i := range v {
			v[i] = c.stored(lo + i)
		}
	}
	if c.Encoding.delta() {
		a, m := *acc, mask(w)
		for i, d := range v {
			a = (a + d) & m
			v[i] = a
		}
		*acc = a
	}
}

// Plain returns the column's values in the raw encoding, little-endian one
// after the other: Data itself if the column is raw, else a new slice.
func (c *Column) Plain() []byte {
	if c.Encoding == EncRaw {
		return c.Data
	}
	n := c.rows()
	out := make([]byte, len(c.Data))
	var vals [block]uint64
	var acc uint64
	for lo := 0; lo < n; lo += block {
		v := vals[:min(block, n-lo)]
		c.values(v, lo, &acc)
		storeValues(out, n, lo, c.Width, false, v)
	}
	return out
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
		if r.err == nil && (nc == 0 || uint64(nc) > uint64(len(b)-r.off)/4) {
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
			c.Encoding = Encoding(r.u8("column encoding"))
			if r.err == nil && c.Encoding >= numEncodings {
				r.fail("table %s column %s: unknown encoding %d (want 0 to %d)", t.Name, c.Name, c.Encoding, numEncodings-1)
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
// Logs and memory tables.

// logTableRefs lists the tables of l in file order.
func logTableRefs(l *events.Log, head *shardRow) []tableRef {
	ts := make([]tableRef, 0, 1+len(logTables))
	ts = append(ts, tableRef{name: TableShard, lay: shardLayout, n: 1, base: unsafe.Pointer(head)})
	for _, t := range logTables {
		ts = append(ts, t.get(l))
	}
	return ts
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func headOf(l *events.Log) shardRow {
	return shardRow{
		Shard: l.Shard, StartStep: l.StartStep, Steps: l.Steps, StartCycle: l.StartCycle, Cycles: l.Cycles,
		StartPC: l.StartPC, StartNextPC: l.StartNextPC, EndPC: l.EndPC, EndNextPC: l.EndNextPC,
		Exited: b2u(l.Exited), ExitCode: l.ExitCode, Faulted: b2u(l.Faulted), BigEndian: b2u(l.BigEndian),
	}
}

// EncodeLog returns the uncompressed payload of a shard file holding l.
func EncodeLog(l *events.Log) ([]byte, error) { return AppendLog(nil, l) }

// AppendLog appends the payload of l to dst (whose spare capacity it
// reuses when large enough).
func AppendLog(dst []byte, l *events.Log) ([]byte, error) {
	if l == nil {
		return nil, errors.New("shard: nil log")
	}
	h := headOf(l)
	return appendTables(dst, logTableRefs(l, &h)), nil
}

// DecodeLog decodes a shard payload made by EncodeLog. It checks the
// payload's structure and flags; whether the log is consistent is for
// events.Expand to say. Rows is left nil.
func DecodeLog(b []byte) (*events.Log, error) {
	tables, err := ParsePayload(b)
	if err != nil {
		return nil, err
	}
	if len(tables) != 1+len(logTables) {
		names := make([]string, len(tables))
		for i, t := range tables {
			names[i] = t.Name
		}
		return nil, fmt.Errorf("%w: tables are [%s], want shard and the %d log tables", ErrCorrupt, strings.Join(names, " "), len(logTables))
	}
	check := func(i int, name string, l *layout) error {
		if tables[i].Name != name {
			return fmt.Errorf("%w: table %d is %s, want %s", ErrCorrupt, i, tables[i].Name, name)
		}
		return checkSchema(&tables[i], l)
	}
	if err := check(0, TableShard, shardLayout); err != nil {
		return nil, err
	}
	if tables[0].Rows != 1 {
		return nil, fmt.Errorf("%w: table shard has %d rows, want 1", ErrCorrupt, tables[0].Rows)
	}
	var h shardRow
	decodeTable(unsafe.Pointer(&h), 1, shardLayout, &tables[0])
	for _, f := range []struct {
		name string
		v    uint8
	}{{"exited", h.Exited}, {"faulted", h.Faulted}, {"big_endian", h.BigEndian}} {
		if f.v > 1 {
			return nil, fmt.Errorf("%w: table shard: %s is %d, want 0 or 1", ErrCorrupt, f.name, f.v)
		}
	}
	l := &events.Log{
		Shard: h.Shard, StartStep: h.StartStep, Steps: h.Steps, StartCycle: h.StartCycle, Cycles: h.Cycles,
		StartPC: h.StartPC, StartNextPC: h.StartNextPC, EndPC: h.EndPC, EndNextPC: h.EndNextPC,
		Exited: h.Exited == 1, ExitCode: h.ExitCode, Faulted: h.Faulted == 1, BigEndian: h.BigEndian == 1,
	}
	for i, lt := range logTables {
		t := &tables[1+i]
		if err := check(1+i, lt.name, lt.lay); err != nil {
			return nil, err
		}
		n := int(t.Rows)
		decodeTable(lt.set(l, n), n, lt.lay, t)
	}
	for i, a := range l.SysAccess {
		if a.Read > 1 || a.Write > 1 || a.Read+a.Write == 0 {
			return nil, fmt.Errorf("%w: table sys_access row %d: read %d, write %d", ErrCorrupt, i, a.Read, a.Write)
		}
	}
	for i, sc := range l.Syscalls {
		if sc.TLS > 1 {
			return nil, fmt.Errorf("%w: table syscalls row %d: tls is %d, want 0 or 1", ErrCorrupt, i, sc.TLS)
		}
	}
	return l, nil
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

// encoderLevel is the zstd level of the writer. On cbench's shards after
// the column encodings, SpeedDefault makes files about 14% smaller than
// SpeedFastest but costs about 5% more CPU in "zkmips execute" (zstd
// itself: 1.2 against 1.3 GB/s of payload); throughput comes first.
const encoderLevel = zstd.SpeedFastest

var encoders = sync.Pool{New: func() any {
	e, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(encoderLevel), zstd.WithEncoderConcurrency(1))
	if err != nil {
		panic(err) // only on invalid options
	}
	return e
}}

// Pack returns the file holding payload: header, zstd-compressed payload,
// trailer.
func Pack(payload []byte) []byte {
	// Real shards compress 4 to 6 times; append grows the rare file that
	// does not fit.
	return AppendPack(make([]byte, 0, headerSize+len(payload)/3+trailerSize), payload)
}

// AppendPack appends the file holding payload to dst.
func AppendPack(dst, payload []byte) []byte {
	dst, _ = appendPack(dst, payload)
	return dst
}

// appendPack is AppendPack, also returning the SHA-256 of the whole file
// (the manifest's digest). The trailer's checksum covers everything
// before it, so both come from one pass over the bytes: hashing them
// twice was a tenth of the CPU time of "zkmips execute".
func appendPack(dst, payload []byte) ([]byte, [sha256.Size]byte) {
	start := len(dst)
	dst = append(dst, Magic...)
	dst = binary.LittleEndian.AppendUint32(dst, FormatVersion)
	e := encoders.Get().(*zstd.Encoder)
	dst = e.EncodeAll(payload, dst)
	encoders.Put(e)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(len(payload)))
	h := sha256.New()
	h.Write(dst[start:])
	dst = h.Sum(dst) // the trailer checksum; h goes on over the rest
	dst = append(dst, Magic...)
	h.Write(dst[len(dst)-trailerSize+8:])
	var file [sha256.Size]byte
	h.Sum(file[:0])
	return dst, file
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
	if sum := sha256.Sum256(data[:len(data)-trailerSize+8]); !bytes.Equal(sum[:], trailer[8:8+sha256.Size]) {
		return nil, fmt.Errorf("%w: SHA-256 of the header, compressed payload and length is %x, the trailer says %x",
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
func DecodeShardFile(name string, data []byte) (*events.Log, error) {
	p, err := Unpack(data)
	if err != nil {
		return nil, fileError(name, err)
	}
	l, err := DecodeLog(p)
	if err != nil {
		return nil, fileError(name, err)
	}
	return l, nil
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

// payloads and files recycle payload and file buffers between shard
// files: fresh memory costs page faults, which on the VMs we run on cost
// more than the copying.
var payloads, files sync.Pool

// packLog returns the file bytes of l, in a buffer release recycles.
func packLog(l *events.Log) ([]byte, [sha256.Size]byte, error) {
	var buf, out []byte
	if p, ok := payloads.Get().(*[]byte); ok {
		buf = (*p)[:0]
	}
	payload, err := AppendLog(buf, l)
	if err != nil {
		return nil, [sha256.Size]byte{}, err
	}
	if p, ok := files.Get().(*[]byte); ok {
		out = (*p)[:0]
	}
	if cap(out) < headerSize+len(payload)/3+trailerSize {
		out = make([]byte, 0, headerSize+len(payload)/3+trailerSize)
	}
	data, sum := appendPack(out, payload)
	payloads.Put(&payload)
	return data, sum, nil
}

// release hands a buffer from packLog back.
func release(data []byte) { files.Put(&data) }

// InfoOf returns the manifest entry of l without its file fields: its
// scalars and the row counts of the record it expands to.
func InfoOf(l *events.Log) ShardInfo {
	return ShardInfo{
		Index: l.Shard, StartStep: l.StartStep, Steps: l.Steps, StartCycle: l.StartCycle, Cycles: l.Cycles,
		StartPC: Hex32(l.StartPC), StartNextPC: Hex32(l.StartNextPC), EndPC: Hex32(l.EndPC), EndNextPC: Hex32(l.EndNextPC),
		Rows: l.Rows,
	}
}

// recordInfo is InfoOf for an expanded record.
func recordInfo(r *events.Record) ShardInfo {
	return ShardInfo{
		Index: r.Shard, StartStep: r.StartStep, Steps: r.Steps, StartCycle: r.StartCycle, Cycles: r.Cycles,
		StartPC: Hex32(r.StartPC), StartNextPC: Hex32(r.StartNextPC), EndPC: Hex32(r.EndPC), EndNextPC: Hex32(r.EndNextPC),
		Rows: events.RowCounts(r),
	}
}

// WriteShardFile writes l to the file path (atomically: a temporary file in
// the same directory renamed into place) and returns its manifest entry.
func WriteShardFile(path string, l *events.Log) (ShardInfo, error) {
	return writeShardFile(path, l, true)
}

// writeShardFile is WriteShardFile; without durable it leaves the sync to
// the caller (see writeFile).
func writeShardFile(path string, l *events.Log, durable bool) (ShardInfo, error) {
	data, sum, err := packLog(l)
	if err != nil {
		return ShardInfo{}, err
	}
	defer release(data)
	if err := writeFile(path, data, durable); err != nil {
		return ShardInfo{}, err
	}
	info := InfoOf(l)
	info.File, info.Bytes, info.SHA256 = filepath.Base(path), int64(len(data)), hex.EncodeToString(sum[:])
	return info, nil
}

// ReadShardFile reads and decodes a shard file.
func ReadShardFile(path string) (*events.Log, error) {
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
	data, sum := appendPack(nil, payload)
	if err := writeFileAtomic(path, data); err != nil {
		return MemoryInfo{}, err
	}
	return MemoryInfo{
		File: filepath.Base(path), Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
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
