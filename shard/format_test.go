package shard

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/zkmips/zkmips/events"
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
)

// randRows returns n rows of T with every field random.
func randRows[T any](rng *rand.Rand, n int) []T {
	rows := make([]T, n)
	for i := range rows {
		v := reflect.ValueOf(&rows[i]).Elem()
		for j := range v.NumField() {
			v.Field(j).SetUint(rng.Uint64()) // truncated to the field's width
		}
	}
	return rows
}

// randLog returns a log with every table populated (about scale rows
// each), random scalars and flags, and row counts for every record table.
func randLog(rng *rand.Rand, shard uint32, scale int) *events.Log {
	n := func() int { return 1 + rng.IntN(scale) }
	l := &events.Log{
		Shard: shard, StartStep: rng.Uint64(), Steps: rng.Uint64(), StartCycle: rng.Uint64(), Cycles: rng.Uint64(),
		StartPC: rng.Uint32(), StartNextPC: rng.Uint32(), EndPC: rng.Uint32(), EndNextPC: rng.Uint32(),
		Exited: rng.IntN(2) == 1, ExitCode: rng.Uint32(), Faulted: rng.IntN(2) == 1, BigEndian: rng.IntN(2) == 1,
		Local:     randRows[events.Local](rng, n()),
		Code:      randRows[events.CodeRow](rng, n()),
		Control:   randRows[events.Control](rng, n()),
		Syscalls:  randRows[events.SyscallLog](rng, n()),
		SysAccess: randRows[events.SysAccess](rng, n()),
	}
	for range n() {
		l.Writes = append(l.Writes, rng.Uint32())
	}
	for i := range l.Syscalls {
		l.Syscalls[i].TLS &= 1
	}
	for i := range l.SysAccess {
		a := &l.SysAccess[i]
		a.Read, a.Write = a.Read&1, a.Write&1
		if a.Read+a.Write == 0 {
			a.Write = 1
		}
	}
	l.Rows = map[string]uint64{}
	for _, t := range recordTables {
		if !strings.HasPrefix(t.name, precompilePrefix) {
			l.Rows[t.name] = uint64(rng.IntN(1000))
		}
	}
	l.Rows[PrecompileTable(0x00010006)] = 3
	return l
}

// chainLogs returns n random logs whose scalars chain as a run's shards
// do (steps, cycles and pcs continue from one shard to the next).
func chainLogs(rng *rand.Rand, n, scale int) []*events.Log {
	logs := make([]*events.Log, n)
	var step, cycle uint64
	pc, npc := uint32(0x400000), uint32(0x400004)
	for i := range logs {
		l := randLog(rng, uint32(i+1), scale)
		l.StartStep, l.Steps, l.StartCycle = step, uint64(len(l.Writes)), cycle
		l.Cycles = l.Steps + uint64(rng.IntN(3))
		l.StartPC, l.StartNextPC = pc, npc
		l.Exited = i == n-1
		step += l.Steps
		cycle += l.Cycles
		pc, npc = l.EndPC, l.EndNextPC
		logs[i] = l
	}
	return logs
}

// decoded is l as DecodeLog returns it: without row counts.
func decoded(l *events.Log) *events.Log {
	c := *l
	c.Rows = nil
	return &c
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		l := randLog(rng, uint32(i+1), 1+i*37)
		b, err := EncodeLog(l)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeLog(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, decoded(l)) {
			t.Fatalf("log %d does not round-trip", i)
		}
		b2, err := EncodeLog(got)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, b2) {
			t.Fatalf("log %d re-encodes differently", i)
		}
		// Through a file too.
		p := filepath.Join(t.TempDir(), "s.zkt")
		if _, err := WriteShardFile(p, l); err != nil {
			t.Fatal(err)
		}
		got, err = ReadShardFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, decoded(l)) {
			t.Fatalf("log %d does not round-trip through a file", i)
		}
	}
}

func TestRoundTripEmpty(t *testing.T) {
	l := &events.Log{Shard: 7, Exited: true, ExitCode: 3}
	b, err := EncodeLog(l)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeLog(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, l) {
		t.Fatalf("got %+v, want %+v", got, l)
	}
	// Empty and nil tables encode alike.
	l2 := &events.Log{Shard: 7, Exited: true, ExitCode: 3, Local: []events.Local{}, Writes: []uint32{}}
	if b2, _ := EncodeLog(l2); !bytes.Equal(b, b2) {
		t.Fatal("empty and nil tables encode differently")
	}
}

func TestMemoryRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	init, fin := randRows[events.Init](rng, 1000), randRows[events.Finalize](rng, 1000)
	p := filepath.Join(t.TempDir(), "memory.zkt")
	info, err := WriteMemoryFile(p, init, fin)
	if err != nil {
		t.Fatal(err)
	}
	if info.InitRows != 1000 || info.FinalizeRows != 1000 || info.File != "memory.zkt" {
		t.Fatalf("info %+v", info)
	}
	gi, gf, err := ReadMemoryFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gi, init) || !reflect.DeepEqual(gf, fin) {
		t.Fatal("memory tables do not round-trip")
	}
	// A memory file is not a shard file and vice versa.
	if _, err := ReadShardFile(p); err == nil || !strings.Contains(err.Error(), "want shard") {
		t.Fatalf("shard read of a memory file: %v", err)
	}
	sp := filepath.Join(t.TempDir(), "s.zkt")
	if _, err := WriteShardFile(sp, randLog(rng, 1, 3)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadMemoryFile(sp); err == nil || !strings.Contains(err.Error(), "want [init finalize]") {
		t.Fatalf("memory read of a shard file: %v", err)
	}
}

// TestColumnar checks the payload layout directly: header, then each
// column as one contiguous array in its encoding.
func TestColumnar(t *testing.T) {
	l := &events.Log{Shard: 1, Control: []events.Control{{Step: 5, PC: 0x400000, NextPC: 0x1234}, {Step: 9, PC: 0x400004, NextPC: 0x12}},
		Syscalls: []events.SyscallLog{{Step: 1, TLS: 7}, {Step: 2, TLS: 9}}}
	b, _ := EncodeLog(l)
	tables, err := ParsePayload(b)
	if err != nil {
		t.Fatal(err)
	}
	if tables[0].Name != "shard" || tables[4].Name != "control" || tables[len(tables)-1].Name != "sys_access" {
		t.Fatalf("tables %v", tables)
	}
	ctl, sys := tables[4], tables[5]
	if ctl.Rows != 2 || ctl.Columns[0].Name != "step" || ctl.Columns[1].Name != "pc" || sys.Columns[2].Name != "tls" || sys.Columns[2].Width != 1 {
		t.Fatalf("control table %+v, syscalls %+v", ctl, sys)
	}
	// pc increases: deltas 0x400000, 4 in planes. next_pc decreases:
	// planes. tls is a byte column: raw.
	pc, npc, tls := ctl.Columns[1], ctl.Columns[2], sys.Columns[2]
	if pc.Encoding != EncDeltaPlanes || npc.Encoding != EncPlanes || tls.Encoding != EncRaw {
		t.Fatalf("encodings: pc %d, next_pc %d, tls %d", pc.Encoding, npc.Encoding, tls.Encoding)
	}
	if !bytes.Equal(pc.Data, []byte{0, 4, 0, 0, 0x40, 0, 0, 0}) || !bytes.Equal(npc.Data, []byte{0x34, 0x12, 0x12, 0, 0, 0, 0, 0}) || !bytes.Equal(tls.Data, []byte{7, 9}) {
		t.Fatalf("pc column %x, next_pc column %x, tls column %x", pc.Data, npc.Data, tls.Data)
	}
	if !bytes.Equal(pc.Plain(), []byte{0, 0, 0x40, 0, 4, 0, 0x40, 0}) || !bytes.Equal(npc.Plain(), []byte{0x34, 0x12, 0, 0, 0x12, 0, 0, 0}) || &tls.Plain()[0] != &tls.Data[0] {
		t.Fatalf("plain pc %x, next_pc %x", pc.Plain(), npc.Plain())
	}
	if !reflect.DeepEqual(ctl.Columns[0].Values(), []uint64{5, 9}) || !reflect.DeepEqual(pc.Values(), []uint64{0x400000, 0x400004}) ||
		!reflect.DeepEqual(npc.Values(), []uint64{0x1234, 0x12}) || !reflect.DeepEqual(tls.Values(), []uint64{7, 9}) {
		t.Fatal("Values")
	}
	// The first column of the first table starts right after the header,
	// the last column ends the payload.
	if &tables[0].Columns[0].Data[0] != &b[len(b)-sumData(tables)] {
		t.Fatal("column data is not contiguous after the header")
	}
}

func sumData(ts []Table) int {
	n := 0
	for _, t := range ts {
		for _, c := range t.Columns {
			n += len(c.Data)
		}
	}
	return n
}

// widthRow has a column of every width.
type widthRow struct {
	A uint8
	B uint16
	C uint32
	D uint64
}

var widthLayout = layoutOf[widthRow]()

// allEnc returns encodings with every column in e.
func allEnc(e Encoding) [][maxColumns]Encoding {
	var enc [maxColumns]Encoding
	for i := range enc {
		enc[i] = e
	}
	return [][maxColumns]Encoding{enc}
}

// decodeWidthRows decodes the one table of payload p as widthRows.
func decodeWidthRows(t *testing.T, p []byte) ([]widthRow, *Table) {
	t.Helper()
	tables, err := ParsePayload(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 {
		t.Fatalf("%d tables", len(tables))
	}
	tab := &tables[0]
	if err := checkSchema(tab, widthLayout); err != nil {
		t.Fatal(err)
	}
	rows, base := allocRows[widthRow](int(tab.Rows))
	decodeTable(base, len(rows), widthLayout, tab)
	return rows, tab
}

// TestEncodings round-trips columns of every width in every encoding,
// with values that wrap around (deltas of decreasing values) and row
// counts on both sides of the block size.
func TestEncodings(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{0, 1, 2, block - 1, block, block + 1, 3*block + 7, 5000} {
		rows := make([]widthRow, n)
		for i := range rows {
			switch i % 4 {
			case 0: // extremes: deltas from and to them wrap
				rows[i] = widthRow{0xff, 0xffff, 0xffffffff, ^uint64(0)}
			case 1:
				rows[i] = widthRow{}
			default:
				rows[i] = widthRow{uint8(rng.Uint32()), uint16(rng.Uint32()), rng.Uint32(), rng.Uint64()}
			}
		}
		ref := []tableRef{refOf("t", widthLayout, rows)}
		raw := appendTablesWith(nil, ref, allEnc(EncRaw))
		_, rawTab := decodeWidthRows(t, raw)
		for e := range Encoding(numEncodings) {
			p := appendTablesWith(nil, ref, allEnc(e))
			if len(p) != len(raw) {
				t.Fatalf("n=%d encoding %d: %d bytes, raw %d", n, e, len(p), len(raw))
			}
			got, tab := decodeWidthRows(t, p)
			if n > 0 && !reflect.DeepEqual(got, rows) {
				t.Fatalf("n=%d encoding %d: rows do not round-trip", n, e)
			}
			for j := range tab.Columns {
				c := &tab.Columns[j]
				if c.Encoding != e {
					t.Fatalf("n=%d column %s: encoding %d, want %d", n, c.Name, c.Encoding, e)
				}
				if !bytes.Equal(c.Plain(), rawTab.Columns[j].Data) {
					t.Fatalf("n=%d encoding %d column %s: Plain differs from the raw column", n, e, c.Name)
				}
				vals := c.Values()
				for i, v := range vals {
					if want := reflect.ValueOf(rows[i]).Field(j).Uint(); v != want {
						t.Fatalf("n=%d encoding %d column %s: value %d is %#x, want %#x", n, e, c.Name, i, v, want)
					}
				}
				if len(vals) != n {
					t.Fatalf("n=%d encoding %d column %s: %d values", n, e, c.Name, len(vals))
				}
			}
		}
	}
}

// TestEncodingBytes checks the stored bytes of each encoding on a small
// column of each width against hand-computed ones.
func TestEncodingBytes(t *testing.T) {
	// Values 0x..0102, 0x..0001, 0x..0003: the second delta wraps.
	rows := []widthRow{
		{0x02, 0x0102, 0x01020304, 0x0102030405060708},
		{0x01, 0x0001, 0x00000001, 0x0000000000000001},
		{0x03, 0x0003, 0x00000003, 0x0000000000000003},
	}
	want := map[Encoding][4]string{
		EncRaw: {"020103", "020101000300", "040302010100000003000000",
			"080706050403020101000000000000000300000000000000"},
		EncDelta: {"02ff02", "0201fffe0200", "04030201fdfcfdfe02000000",
			"0807060504030201f9f8f9fafbfcfdfe0200000000000000"},
		EncPlanes: {"020103", "020103010000", "040103030000020000010000",
			"080103070000060000050000040000030000020000010000"},
		EncDeltaPlanes: {"02ff02", "02ff0201fe00", "04fd0203fc0002fd0001fe00",
			"08f90207f80006f90005fa0004fb0003fc0002fd0001fe00"},
	}
	for e, w := range want {
		_, tab := decodeWidthRows(t, appendTablesWith(nil, []tableRef{refOf("t", widthLayout, rows)}, allEnc(e)))
		for j, c := range tab.Columns {
			if got := hex.EncodeToString(c.Data); got != w[j] {
				t.Errorf("encoding %d, width %d: stored %s, want %s", e, c.Width, got, w[j])
			}
		}
	}
}

// TestChooseEncoding checks the writer's choice: raw for bytes, planes,
// with deltas for columns that increase in at least 9 of 10 pairs, also
// when the first block suggests otherwise.
func TestChooseEncoding(t *testing.T) {
	for _, c := range []struct {
		width, n, inc int
		want          Encoding
	}{
		{1, 100, 99, EncRaw}, {1, 0, 0, EncRaw},
		{4, 0, 0, EncPlanes}, {4, 1, 0, EncPlanes}, {2, 2, 1, EncDeltaPlanes}, {8, 2, 0, EncPlanes},
		{4, 11, 9, EncDeltaPlanes}, {4, 11, 8, EncPlanes}, {4, 101, 90, EncDeltaPlanes}, {4, 101, 89, EncPlanes},
		{4, 1 << 40, 1<<40 - 1, EncDeltaPlanes},
	} {
		if got := chooseEncoding(c.width, c.n, c.inc); got != c.want {
			t.Errorf("chooseEncoding(%d, %d, %d) = %d, want %d", c.width, c.n, c.inc, got, c.want)
		}
	}
	rng := rand.New(rand.NewPCG(15, 16))
	type kind struct {
		name string
		n    int
		val  func(i int) uint64 // row i's value
		want Encoding
	}
	// threshold: 9 in 10 pairs increase (from near the top, so that the
	// deltas wrap around), the 10th goes down to 0.
	threshold := func(i int) uint64 {
		if i%10 == 9 {
			return 0
		}
		return ^uint64(0) - uint64(1000*(9-i%10))
	}
	const n = 10 * block
	for _, k := range []kind{
		{"increasing", n, func(i int) uint64 { return uint64(16*i + rng.IntN(8)) }, EncDeltaPlanes},
		{"random", n, func(i int) uint64 { return rng.Uint64() }, EncPlanes},
		{"constant", n, func(i int) uint64 { return 7 }, EncPlanes},
		// The first block increases, the rest does not: guessed delta,
		// re-encoded as planes.
		{"increasing first block", n, func(i int) uint64 {
			if i < block {
				return uint64(i)
			}
			return rng.Uint64()
		}, EncPlanes},
		// The first block is random, the rest increases: 9 in 10 pairs
		// increase, guessed planes, re-encoded with deltas.
		{"random first block", n, func(i int) uint64 {
			if i < block {
				return rng.Uint64()
			}
			return uint64(i) * 0x0001000100010001
		}, EncDeltaPlanes},
		// 2304 of 2560 pairs increase: exactly 9 in 10.
		{"at threshold", n + 1, threshold, EncDeltaPlanes},
		// 2303 of 2559.
		{"below threshold", n, threshold, EncPlanes},
	} {
		rows := make([]widthRow, k.n)
		for i := range rows {
			v := k.val(i)
			rows[i] = widthRow{uint8(v), uint16(v), uint32(v), v}
		}
		ref := []tableRef{refOf("t", widthLayout, rows)}
		p := appendTables(nil, ref)
		got, tab := decodeWidthRows(t, p)
		if !reflect.DeepEqual(got, rows) {
			t.Fatalf("%s: rows do not round-trip", k.name)
		}
		var enc [maxColumns]Encoding
		for j, c := range tab.Columns {
			enc[j] = c.Encoding
			want := k.want
			if c.Width == 1 {
				want = EncRaw
			}
			if c.Encoding != want {
				t.Errorf("%s: column %s (width %d) is in encoding %d, want %d", k.name, c.Name, c.Width, c.Encoding, want)
			}
		}
		// The same bytes as writing in the chosen encodings directly.
		if !bytes.Equal(p, appendTablesWith(nil, ref, [][maxColumns]Encoding{enc})) {
			t.Errorf("%s: re-encoded columns differ from direct encoding", k.name)
		}
	}
}

// TestMixedColumn checks the writer's choice for the writes column: planes
// for small integers (zero high bytes), raw for random words that repeat
// whole (a block of random data written again and again), planes below
// the sample size; the column round-trips either way.
func TestMixedColumn(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	set := make([]uint32, 4096)
	for i := range set {
		set[i] = rng.Uint32()
	}
	for _, k := range []struct {
		name string
		n    int
		val  func(i int) uint32
		want Encoding
	}{
		{"small integers", 4 * sampleRows, func(i int) uint32 { return uint32(rng.IntN(1000)) }, EncPlanes},
		{"repeated random block", 4 * sampleRows, func(i int) uint32 { return set[i%len(set)] }, EncRaw},
		{"short", sampleRows - 1, func(i int) uint32 { return set[i%len(set)] }, EncPlanes},
	} {
		vals := make([]uint32, k.n)
		for i := range vals {
			vals[i] = k.val(i)
		}
		ref := tableRef{name: "writes", lay: writesLayout, n: len(vals), base: unsafe.Pointer(unsafe.SliceData(vals))}
		p := appendTables(nil, []tableRef{ref})
		tabs, err := ParsePayload(p)
		if err != nil {
			t.Fatal(err)
		}
		c := tabs[0].Columns[0]
		if c.Encoding != k.want {
			t.Errorf("%s: encoding %d, want %d", k.name, c.Encoding, k.want)
		}
		for i, v := range c.Values() {
			if uint32(v) != vals[i] {
				t.Fatalf("%s: row %d is %d, want %d", k.name, i, v, vals[i])
			}
		}
	}
}

// TestDeterministic checks that a record gives the same payload and file
// bytes every time: encoded twice, from a copy, into a dirty buffer.
func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	l := chainLogs(rng, 1, 3000)[0]
	for i := range l.Control { // some increasing columns too
		l.Control[i].Step, l.Control[i].PC = uint32(16*(i+1)), uint32(0x400000+4*i)
	}
	b1, _ := EncodeLog(l)
	b2, _ := EncodeLog(l)
	got, err := DecodeLog(b1)
	if err != nil {
		t.Fatal(err)
	}
	b3, _ := EncodeLog(got)
	dirty := bytes.Repeat([]byte{0xa5}, len(b1)+100)
	b4, _ := AppendLog(dirty[:0], l)
	if !bytes.Equal(b1, b2) || !bytes.Equal(b1, b3) || !bytes.Equal(b1, b4) {
		t.Fatal("a log encodes to different payloads")
	}
	if !bytes.Equal(Pack(b1), Pack(b3)) {
		t.Fatal("a payload packs to different files")
	}
	f1, s1, _ := packLog(l)
	f2, _, _ := packLog(got)
	if !bytes.Equal(f1, f2) || !bytes.Equal(f1, Pack(b1)) {
		t.Fatal("a log packs to different files")
	}
	if s1 != sha256.Sum256(f1) {
		t.Fatal("packLog's file digest is not the SHA-256 of the file")
	}
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{
		"NextPC": "next_pc", "A3Out": "a3_out", "MemIn2": "mem_in2", "PC": "pc", "NewNextPC": "new_next_pc",
		"HiIn": "hi_in", "A": "a", "ExtraCycles": "extra_cycles", "PCValue": "pc_value", "LaneMask": "lane_mask",
	} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLayoutRejects(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	mustPanic("int", func() { layoutOf[struct{ A int }]() })
	mustPanic("bool", func() { layoutOf[struct{ A bool }]() })
	mustPanic("int32", func() { layoutOf[struct{ A int32 }]() })
	mustPanic("nested", func() { layoutOf[struct{ A struct{ B uint8 } }]() })
	mustPanic("unexported", func() { layoutOf[struct{ a uint32 }]() })
	mustPanic("empty", func() { layoutOf[struct{}]() })
	mustPanic("not a struct", func() { layoutOf[uint32]() })
	l := layoutOf[struct {
		A uint8
		B uint16
		C uint32
		D uint64
	}]()
	if l.width != 15 || len(l.cols) != 4 {
		t.Fatalf("layout %+v", l)
	}
}

// TestSchemaDocumented checks that docs/trace-format.md lists every table
// with its columns in order and their widths.
func TestSchemaDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/trace-format.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append(Schemas(), RecordSchemas()...) {
		var cols []string
		for _, c := range s.Columns {
			cols = append(cols, c.Name+" u"+widthName(c.Width))
		}
		line := "`" + s.Name + "`: " + strings.Join(cols, ", ")
		if !bytes.Contains(doc, []byte(line)) {
			t.Errorf("docs/trace-format.md lacks the schema line\n\t%s", line)
		}
	}
}

// TestOpsDocumented checks the opcode table of docs/trace-format.md.
func TestOpsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/trace-format.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- op table -->\n```\n(.*?)```").FindSubmatch(doc)
	var want strings.Builder
	for o := program.Op(0); o < program.NumOps; o++ {
		fmt.Fprintf(&want, "%3d %-11s", uint8(o), o)
		if o%5 == 4 || o == program.NumOps-1 {
			s := strings.TrimRight(want.String(), " ")
			want.Reset()
			want.WriteString(s + "\n")
		}
	}
	if m == nil || string(m[1]) != want.String() {
		t.Fatalf("docs/trace-format.md: the op table should read\n%s", want.String())
	}
}

// rolesTable is the operand-role table of docs/trace-format.md, section 8.
func rolesTable() string {
	names := func(ro program.Roles, list []struct {
		r program.Roles
		n string
	}) string {
		var out []string
		for _, x := range list {
			if ro&x.r != 0 {
				out = append(out, x.n)
			}
		}
		if len(out) == 0 {
			return "-"
		}
		return strings.Join(out, ",")
	}
	type rn = struct {
		r program.Roles
		n string
	}
	reads := []rn{{program.ReadRs, "rs"}, {program.ReadRt, "rt"}, {program.ReadRd, "rd"}, {program.ReadHI, "hi"},
		{program.ReadLO, "lo"}, {program.ReadFCSR, "fcsr"}, {program.ReadFt, "ft"}, {program.ReadFt2, "ft+1"},
		{program.ReadFs, "fs"}, {program.ReadFs1, "fs+1"}, {program.MemRead, "mem"}}
	writes := []rn{{program.MemWrite, "mem"}, {program.WriteRd, "rd"}, {program.WriteRt, "rt"}, {program.WriteRA, "ra"},
		{program.WriteHI, "hi"}, {program.WriteLO, "lo"}, {program.WriteFt, "ft"}, {program.WriteFt2, "ft+1"},
		{program.WriteFs, "fs"}, {program.WriteFs1, "fs+1"}, {program.WriteFCSR, "fcsr"}}
	var b strings.Builder
	fmt.Fprintf(&b, "%-11s %-18s %s\n", "op", "reads", "writes")
	for o := program.Op(0); o < program.NumOps; o++ {
		ro := o.Roles()
		fmt.Fprintf(&b, "%-11s %-18s %s\n", o, names(ro, reads), names(ro, writes))
	}
	return b.String()
}

// TestRolesDocumented checks the operand-role table of
// docs/trace-format.md against program.Roles.
func TestRolesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/trace-format.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- roles table -->\n```\n(.*?)```").FindSubmatch(doc)
	if want := rolesTable(); m == nil || string(m[1]) != want {
		t.Fatalf("docs/trace-format.md: the roles table should read\n%s", want)
	}
}

func widthName(w int) string {
	return map[int]string{1: "8", 2: "16", 4: "32", 8: "64"}[w]
}

// TestDocExample checks the worked example of docs/trace-format.md: the
// hexdump there is the payload of docExampleRecord.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/trace-format.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- example payload -->\n```\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("no example payload in docs/trace-format.md")
	}
	var want []byte
	for _, line := range strings.Split(strings.TrimSpace(string(m[1])), "\n") {
		// "00000000: 0100 ...  ascii": offset, hex groups, text.
		_, rest, _ := strings.Cut(line, ": ")
		hexPart := rest
		if i := strings.Index(rest, "  "); i >= 0 {
			hexPart = rest[:i]
		}
		bs, err := hex.DecodeString(strings.ReplaceAll(hexPart, " ", ""))
		if err != nil {
			t.Fatalf("bad hexdump line %q: %v", line, err)
		}
		want = append(want, bs...)
	}
	got, err := EncodeMemory(docExampleMemory())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the example payload is\n%s", xxd(got))
	}
}

// docExampleMemory is the worked example of docs/trace-format.md.
func docExampleMemory() ([]events.Init, []events.Finalize) {
	return []events.Init{{Addr: 0x74, Value: 0x7fff0000}, {Addr: 0x400000, Value: 0x3c1c0042}},
		[]events.Finalize{{Addr: 0x74, Value: 0x7ffeffe0, Shard: 1, Clk: 0x3a}, {Addr: 0x400000, Value: 0x3c1c0042, Shard: 1, Clk: 0x18}}
}

// xxd formats b like `xxd`: offset, 8 groups of 2 bytes, text.
func xxd(b []byte) string {
	var sb strings.Builder
	for off := 0; off < len(b); off += 16 {
		line := b[off:min(off+16, len(b))]
		sb.WriteString(strings.ToLower(hex.EncodeToString([]byte{byte(off >> 24), byte(off >> 16), byte(off >> 8), byte(off)})))
		sb.WriteString(":")
		for i := 0; i < 16; i += 2 {
			sb.WriteString(" ")
			for j := i; j < i+2; j++ {
				if j < len(line) {
					sb.WriteString(hex.EncodeToString(line[j : j+1]))
				} else {
					sb.WriteString("  ")
				}
			}
		}
		sb.WriteString("  ")
		for _, c := range line {
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			sb.WriteByte(c)
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// TestPayloadCorruption feeds damaged payloads to the decoders: every one
// fails with ErrCorrupt, none panics.
func TestPayloadCorruption(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	b, _ := EncodeLog(randLog(rng, 1, 4))
	for n := 0; n < len(b); n++ {
		if _, err := DecodeLog(b[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("payload cut at %d: %v", n, err)
		}
	}
	if _, err := DecodeLog(append(bytes.Clone(b), 0)); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "add up to") {
		t.Fatalf("payload with an extra byte: %v", err)
	}
	for i := range b {
		c := bytes.Clone(b)
		c[i] ^= 0x80
		DecodeLog(c) // must not panic; data bytes decode to other values
	}
	mutate := func(name string, f func(ts []tableRef) []tableRef, want string) {
		t.Helper()
		l := randLog(rng, 1, 3)
		h := headOf(l)
		p := appendTables(nil, f(logTableRefs(l, &h)))
		if _, err := DecodeLog(p); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, want)
		}
	}
	mutate("missing table", func(ts []tableRef) []tableRef { return ts[:len(ts)-1] }, "want shard and the 6 log tables")
	mutate("swapped", func(ts []tableRef) []tableRef { ts[1], ts[2] = ts[2], ts[1]; return ts }, "table 1 is code, want local")
	mutate("extra", func(ts []tableRef) []tableRef { return append(ts[:len(ts)-1], ts[1]) }, "appears twice")
	mutate("wrong schema", func(ts []tableRef) []tableRef {
		ts[2] = refOf("code", logTables[0].lay, randRows[events.Local](rng, 3))
		return ts
	}, "table code has 6 columns, want 8")
	mutate("wrong column", func(ts []tableRef) []tableRef {
		ts[1] = refOf("local", layoutOf[struct{ Addr, InitShard, InitClk, InitValue, FinalClk, Value uint32 }](), randRows[events.Local](rng, 3))
		return ts
	}, "table local column 5 is value (4 bytes), want final_value (4 bytes)")
	mutate("two shard rows", func(ts []tableRef) []tableRef {
		ts[0] = refOf(TableShard, shardLayout, []shardRow{{}, {}})
		return ts
	}, "has 2 rows")
	mutate("bad exited", func(ts []tableRef) []tableRef {
		ts[0] = refOf(TableShard, shardLayout, []shardRow{{Exited: 2}})
		return ts
	}, "exited is 2")
	mutate("bad faulted", func(ts []tableRef) []tableRef {
		ts[0] = refOf(TableShard, shardLayout, []shardRow{{Faulted: 3}})
		return ts
	}, "faulted is 3")
	mutate("bad access", func(ts []tableRef) []tableRef {
		ts[6] = refOf("sys_access", ts[6].lay, []events.SysAccess{{Read: 1, Write: 1}, {}})
		return ts
	}, "sys_access row 1: read 0, write 0")
	mutate("bad tls", func(ts []tableRef) []tableRef {
		ts[5] = refOf("syscalls", ts[5].lay, []events.SyscallLog{{TLS: 2}})
		return ts
	}, "syscalls row 0: tls is 2")

	// Header-level damage.
	hdr := func(name string, p []byte, want string) {
		t.Helper()
		if _, err := ParsePayload(p); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, want)
		}
	}
	hdr("huge table count", []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "table count")
	one := func(rows uint64, ncols uint32, width, enc byte) []byte {
		p := binary.LittleEndian.AppendUint32(nil, 1)
		p = append(p, 1, 't')
		p = binary.LittleEndian.AppendUint64(p, rows)
		p = binary.LittleEndian.AppendUint32(p, ncols)
		return append(p, 1, 'c', width, enc)
	}
	hdr("huge rows", one(1<<62, 1, 8, 0), "need more than")
	hdr("zero columns", one(5, 0, 4, 0), "column count 0")
	hdr("huge columns", one(5, 1<<30, 4, 0), "column count")
	hdr("bad width", append(one(1, 1, 3, 0), 0, 0, 0), "width 3")
	hdr("bad encoding", append(one(1, 1, 4, 4), 0, 0, 0, 0), "table t column c: unknown encoding 4 (want 0 to 3)")
	hdr("bad encoding 255", append(one(1, 1, 1, 255), 0), "unknown encoding 255")
	noEnc := append(one(1, 2, 1, 0)[:18], 5, 'c', 'c', 'c', 'c', 'c', 1, 0, 5, 'd', 'd', 'd', 'd', 'd', 1)
	hdr("no encoding", noEnc, "header ends inside column encoding at offset 33")
	bad := one(1, 1, 1, 0)
	bad[5] = 'T'
	hdr("bad name", append(bad, 0), "outside [a-z0-9_]")
	for enc := range byte(numEncodings) {
		// Width 1: the planes are the values, the deltas wrap at 256.
		tables, err := ParsePayload(append(one(3, 1, 1, enc), 5, 6, 0xfe))
		if err != nil {
			t.Fatalf("minimal payload, encoding %d: %v", enc, err)
		}
		want := []byte{5, 6, 0xfe}
		if enc&1 != 0 {
			want = []byte{5, 11, 9}
		}
		if c := tables[0].Columns[0]; c.Encoding != Encoding(enc) || !bytes.Equal(c.Plain(), want) || c.Values()[2] != uint64(want[2]) {
			t.Fatalf("minimal payload, encoding %d: %x, want %x", enc, c.Plain(), want)
		}
	}
	// An unknown encoding byte in a real payload, at the column it names.
	l := &events.Log{Shard: 1, Control: []events.Control{{Step: 16}}}
	p, _ := EncodeLog(l)
	i := bytes.Index(p, []byte("\x07control"))
	i = bytes.Index(p[i:], []byte("\x07next_pc\x04")) + i + 9
	if p[i] != byte(EncPlanes) {
		t.Fatalf("control.next_pc: encoding byte %d at %d", p[i], i)
	}
	for _, e := range []byte{4, 0x80} {
		p[i] = e
		if _, err := DecodeLog(p); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), fmt.Sprintf("table control column next_pc: unknown encoding %d", e)) {
			t.Errorf("encoding byte %d: %v", e, err)
		}
		if _, err := DecodeShardFile("x.zkt", Pack(p)); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "x.zkt: ") {
			t.Errorf("encoding byte %d in a file: %v", e, err)
		}
	}
}

func FuzzDecodeLog(f *testing.F) {
	rng := rand.New(rand.NewPCG(7, 8))
	b, _ := EncodeLog(randLog(rng, 1, 2))
	f.Add(b)
	m, _ := EncodeMemory(docExampleMemory())
	f.Add(m)
	f.Fuzz(func(t *testing.T, b []byte) {
		DecodeLog(b)
		DecodeMemory(b)
		if data := Pack(b); true {
			Unpack(data)
		}
	})
}

// TestFileCorruption damages a shard file in every part and checks the
// error names the file and the problem.
func TestFileCorruption(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	dir := t.TempDir()
	good := filepath.Join(dir, "good.zkt")
	if _, err := WriteShardFile(good, randLog(rng, 1, 200)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	n := len(data)
	check := func(name string, b []byte, want error, text string) {
		t.Helper()
		p := filepath.Join(dir, name+".zkt")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadShardFile(p)
		if !errors.Is(err, want) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), text) {
			t.Errorf("%s: got %v, want %v naming %s and saying %q", name, err, want, p, text)
		}
	}
	flip := func(i int) []byte { c := bytes.Clone(data); c[i] ^= 1; return c }
	check("payload-flip", flip(headerSize+(n-MinFileSize)/2), ErrChecksum, "SHA-256 of the header, compressed payload and length")
	check("payload-flip-first", flip(headerSize), ErrChecksum, "checksum mismatch")
	check("trailer-sha", flip(n-trailerSize+8+5), ErrChecksum, "the trailer says")
	// The checksum covers the length: a changed length is a mismatch,
	// and with the checksum made to match, the length checks catch it.
	longer := func() []byte {
		c := bytes.Clone(data)
		binary.LittleEndian.PutUint64(c[n-trailerSize:], binary.LittleEndian.Uint64(c[n-trailerSize:])+1)
		return c
	}
	check("trailer-len", longer(), ErrChecksum, "the trailer says")
	check("trailer-len-resealed", reseal(longer()), ErrCorrupt, "the trailer says")
	check("trailer-len-huge", func() []byte {
		c := bytes.Clone(data)
		binary.LittleEndian.PutUint64(c[n-trailerSize:], 1<<40)
		return c
	}(), ErrCorrupt, "uncompressed length of 1099511627776")
	check("trailer-magic", flip(n-1), ErrTruncated, "trailer magic")
	check("magic", flip(0), ErrBadMagic, `starts with "[KMTRACE"`)
	check("version", flip(8+1), ErrBadVersion, fmt.Sprintf("version %d, this reader supports %d", FormatVersion+256, FormatVersion))
	check("version-2", func() []byte { c := bytes.Clone(data); c[8] = 2; return c }(), ErrBadVersion, fmt.Sprintf("version 2, this reader supports %d", FormatVersion))
	check("empty", nil, ErrTruncated, "file is 0 bytes")
	check("not-trace", []byte("hello"), ErrBadMagic, "does not start with")
	for _, cut := range []int{3, 8, 11, 12, 40, MinFileSize - 1, n / 2, n - trailerSize, n - 9, n - 1} {
		want := ErrTruncated
		check("cut", data[:cut], want, "")
	}
	// A payload that is not zstd, with a valid checksum.
	junk := append([]byte(Magic), FormatVersion, 0, 0, 0)
	junk = append(junk, "definitely not zstd"...)
	junk = appendTrailer(junk, 100)
	check("not-zstd", junk, ErrDecompress, "decompression failed")
	// A payload with inconsistent table lengths, properly packed.
	p := binary.LittleEndian.AppendUint32(nil, 1)
	p = append(p, 1, 't', 9, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 'c', 4, byte(EncPlanes), 1, 2, 3)
	check("lengths", Pack(p), ErrCorrupt, "9 rows of 4 bytes")
	// Short uncompressed length.
	c := bytes.Clone(data)
	ulen := binary.LittleEndian.Uint64(c[n-trailerSize:])
	binary.LittleEndian.PutUint64(c[n-trailerSize:], ulen-1)
	check("short-ulen", reseal(c), ErrCorrupt, "the zstd frame holds")
}

// appendTrailer completes a file whose header and compressed payload are in b.
func appendTrailer(b []byte, ulen uint64) []byte {
	b = binary.LittleEndian.AppendUint64(b, ulen)
	sum := sha256.Sum256(b)
	b = append(b, sum[:]...)
	return append(b, Magic...)
}

// reseal recomputes the trailer checksum of file b in place.
func reseal(b []byte) []byte {
	n := len(b) - trailerSize + 8
	sum := sha256.Sum256(b[:n])
	copy(b[n:], sum[:])
	return b
}

// benchLog is a real shard: the log of 2^20 cycles of the CPU-bound C
// guest, after its first 2^20.
var benchLog = sync.OnceValue(func() *events.Log {
	p, err := program.LoadFile("../testdata/guests/bin/cbench.mips")
	if err != nil {
		panic(err)
	}
	m, err := executor.New(p, executor.Config{})
	if err != nil {
		panic(err)
	}
	var rec executor.Recorder
	b := events.NewLogBuilder()
	if _, err := events.RecordShard(m, &rec, b, 1, 1<<20, ^uint64(0)); err != nil {
		panic(err)
	}
	l, err := events.RecordShard(m, &rec, b, 2, 1<<20, ^uint64(0))
	if err != nil {
		panic(err)
	}
	return l
})

func BenchmarkEncodeLog(b *testing.B) {
	l := benchLog()
	buf, _ := AppendLog(nil, l)
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for b.Loop() {
		buf, _ = AppendLog(buf[:0], l)
	}
}

func BenchmarkDecodeLog(b *testing.B) {
	buf, _ := EncodeLog(benchLog())
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := DecodeLog(buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPack(b *testing.B) {
	buf, _ := EncodeLog(benchLog())
	b.SetBytes(int64(len(buf)))
	var out []byte
	b.ResetTimer()
	for b.Loop() {
		out = Pack(buf)
	}
	b.ReportMetric(float64(len(buf))/float64(len(out)), "ratio")
}

func BenchmarkUnpack(b *testing.B) {
	buf, _ := EncodeLog(benchLog())
	data := Pack(buf)
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Unpack(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPackLog is a writer's work per shard: encode the log,
// compress, checksum. MB/s are of payload; bytes/cycle of file.
func BenchmarkPackLog(b *testing.B) {
	l := benchLog()
	buf, _ := EncodeLog(l)
	b.SetBytes(int64(len(buf)))
	var data []byte
	b.ResetTimer()
	for b.Loop() {
		data, _, _ = packLog(l)
	}
	b.ReportMetric(float64(len(data))/float64(l.Cycles), "bytes/cycle")
	b.ReportMetric(float64(l.Cycles)*float64(b.N)/b.Elapsed().Seconds(), "cycles/s")
}

// BenchmarkEncodings encodes the log's control table with every column in
// one encoding, and reports the size it compresses to.
func BenchmarkEncodings(b *testing.B) {
	rows := benchLog().Control
	ref := []tableRef{refOf("control", layoutOf[events.Control](), rows)}
	for _, e := range []Encoding{EncRaw, EncDelta, EncPlanes, EncDeltaPlanes} {
		b.Run(fmt.Sprintf("enc%d", e), func(b *testing.B) {
			buf := appendTablesWith(nil, ref, allEnc(e))
			b.SetBytes(int64(len(buf)))
			b.ResetTimer()
			for b.Loop() {
				buf = appendTablesWith(buf[:0], ref, allEnc(e))
			}
			b.StopTimer()
			b.ReportMetric(float64(len(Pack(buf)))/float64(len(rows)), "packed-bytes/row")
		})
	}
}
