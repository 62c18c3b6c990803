package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/examples"
)

// zkmips runs the CLI in-process and returns the exit status and output.
func zkmips(t *testing.T, stdin string, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	status = run(args, strings.NewReader(stdin), &out, &errOut)
	return status, out.String(), errOut.String()
}

// oneErrorLine checks that stderr is exactly one "zkmips: " line containing
// want.
func oneErrorLine(t *testing.T, stderr, want string) {
	t.Helper()
	if !strings.HasPrefix(stderr, "zkmips: ") || !strings.HasSuffix(stderr, "\n") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr = %q, want one line starting with \"zkmips: \"", stderr)
	}
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr = %q, want it to mention %q", stderr, want)
	}
}

// needExample fails the test when the example is not embedded: the
// examples are committed, so a missing one is a broken build.
func needExample(t *testing.T, name string) {
	t.Helper()
	if _, ok := examples.Get(name); !ok {
		t.Fatalf("example %q is not embedded in this build (examples/bin is empty or incomplete)", name)
	}
}

// Register numbers (o32).
const (
	rZero = 0
	rV0   = 2
	rA0   = 4
	rA1   = 5
	rA2   = 6
	rT0   = 8
	rT1   = 9
	rT2   = 10
	rS0   = 16
	rSP   = 29
	rRA   = 31
)

// Instruction encoders for the hand-assembled test programs.
func iType(op, rs, rt uint32, imm int32) uint32 {
	return op<<26 | rs<<21 | rt<<16 | uint32(imm)&0xffff
}
func rType(funct, rs, rt, rd, sa uint32) uint32 {
	return rs<<21 | rt<<16 | rd<<11 | sa<<6 | funct
}
func addiu(rt, rs uint32, imm int32) uint32 { return iType(9, rs, rt, imm) }
func lui(rt uint32, imm int32) uint32       { return iType(0xf, 0, rt, imm) }
func ori(rt, rs uint32, imm int32) uint32   { return iType(0xd, rs, rt, imm) }
func lw(rt uint32, off int32, base uint32) uint32 {
	return iType(0x23, base, rt, off)
}
func lbu(rt uint32, off int32, base uint32) uint32 {
	return iType(0x24, base, rt, off)
}
func beq(rs, rt uint32, words int32) uint32 { return iType(4, rs, rt, words) }
func addu(rd, rs, rt uint32) uint32         { return rType(0x21, rs, rt, rd, 0) }
func sll(rd, rt, sa uint32) uint32          { return rType(0, 0, rt, rd, sa) }
func jr(rs uint32) uint32                   { return rType(8, rs, 0, 0, 0) }
func jal(target uint32) uint32              { return 3<<26 | target>>2&0x3ffffff }

const (
	nop       = 0
	opSyscall = 0x0000000c
	// codeAddr is where testELF places the first instruction.
	codeAddr = 0x400100
	// Linux o32 system calls.
	sysRead      = 4003
	sysWrite     = 4004
	sysExitGroup = 4246
)

// testSymbol names a function in a test program: index is its first
// instruction, size its length in instructions.
type testSymbol struct {
	name        string
	index, size int
}

// testELF builds a static big-endian MIPS32r2 executable holding code at
// codeAddr in one R+X segment, with a symbol table for syms, and returns its
// path. (A minimal ELF writer kept here so the CLI tests need no toolchain.)
func testELF(t *testing.T, code []uint32, syms ...testSymbol) string {
	t.Helper()
	be := binary.BigEndian
	const (
		ehsize   = 52
		phsize   = 32
		shsize   = 40
		codeOff  = 0x100
		loadAddr = codeAddr - codeOff
	)
	img := make([]byte, codeOff)
	for _, w := range code {
		img = be.AppendUint32(img, w)
	}
	loadSize := len(img)

	// .strtab and .symtab (entry 0 is the null symbol).
	strtab := []byte{0}
	symtab := make([]byte, 16)
	for _, s := range syms {
		var e [16]byte
		be.PutUint32(e[0:], uint32(len(strtab)))
		be.PutUint32(e[4:], uint32(codeAddr+4*s.index))
		be.PutUint32(e[8:], uint32(4*s.size))
		e[12] = 1<<4 | 2 // STB_GLOBAL, STT_FUNC
		be.PutUint16(e[14:], 1)
		symtab = append(symtab, e[:]...)
		strtab = append(append(strtab, s.name...), 0)
	}
	for len(img)%4 != 0 {
		img = append(img, 0)
	}
	symOff := len(img)
	img = append(img, symtab...)
	strOff := len(img)
	img = append(img, strtab...)
	for len(img)%4 != 0 {
		img = append(img, 0)
	}
	shOff := len(img)
	sh := make([]byte, 3*shsize)   // null, .symtab, .strtab
	be.PutUint32(sh[shsize+4:], 2) // SHT_SYMTAB
	be.PutUint32(sh[shsize+16:], uint32(symOff))
	be.PutUint32(sh[shsize+20:], uint32(len(symtab)))
	be.PutUint32(sh[shsize+24:], 2) // sh_link: .strtab
	be.PutUint32(sh[shsize+36:], 16)
	be.PutUint32(sh[2*shsize+4:], 3) // SHT_STRTAB
	be.PutUint32(sh[2*shsize+16:], uint32(strOff))
	be.PutUint32(sh[2*shsize+20:], uint32(len(strtab)))
	img = append(img, sh...)

	h := img[:ehsize]
	copy(h, "\x7fELF\x01\x02\x01") // ELFCLASS32, ELFDATA2MSB, EV_CURRENT
	be.PutUint16(h[16:], 2)        // ET_EXEC
	be.PutUint16(h[18:], 8)        // EM_MIPS
	be.PutUint32(h[20:], 1)
	be.PutUint32(h[24:], codeAddr) // e_entry
	be.PutUint32(h[28:], ehsize)   // e_phoff
	be.PutUint32(h[32:], uint32(shOff))
	be.PutUint32(h[36:], 0x70001000) // MIPS32r2, o32
	be.PutUint16(h[40:], ehsize)
	be.PutUint16(h[42:], phsize)
	be.PutUint16(h[44:], 1)
	be.PutUint16(h[46:], shsize)
	be.PutUint16(h[48:], 3)
	ph := img[ehsize : ehsize+phsize]
	be.PutUint32(ph[0:], 1) // PT_LOAD
	be.PutUint32(ph[4:], 0)
	be.PutUint32(ph[8:], loadAddr)
	be.PutUint32(ph[12:], loadAddr)
	be.PutUint32(ph[16:], uint32(loadSize))
	be.PutUint32(ph[20:], uint32(loadSize))
	be.PutUint32(ph[24:], 5) // R+X
	be.PutUint32(ph[28:], 0x1000)

	path := filepath.Join(t.TempDir(), "prog")
	if err := os.WriteFile(path, img, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// exitProgram exits with code.
func exitProgram(t *testing.T, code int32) string {
	return testELF(t, []uint32{
		addiu(rA0, rZero, code),
		addiu(rV0, rZero, sysExitGroup),
		opSyscall,
	}, testSymbol{"_start", 0, 3})
}

// echoProgram prints argv[1] and envp[0], each on a line, and exits 0.
func echoProgram(t *testing.T) string {
	const puts, loop, done, nl = 12, 13, 19, 31
	code := []uint32{
		lw(rS0, 0, rSP), // argc
		lw(rA1, 8, rSP), // argv[1]
		jal(codeAddr + 4*puts),
		nop,
		sll(rT0, rS0, 2),
		addu(rT0, rT0, rSP),
		lw(rA1, 8, rT0), // envp[0], at sp + 4 + 4*(argc+1)
		jal(codeAddr + 4*puts),
		nop,
		addiu(rA0, rZero, 0),
		addiu(rV0, rZero, sysExitGroup),
		opSyscall,
		// puts: write the NUL-terminated string at a1 and a newline.
		addu(rA2, rZero, rZero),
		// loop:
		addu(rT1, rA1, rA2),
		lbu(rT2, 0, rT1),
		beq(rT2, rZero, done-16),
		nop,
		beq(rZero, rZero, loop-18),
		addiu(rA2, rA2, 1),
		// done:
		addiu(rA0, rZero, 1),
		addiu(rV0, rZero, sysWrite),
		opSyscall,
		lui(rA1, (codeAddr+4*nl)>>16),
		ori(rA1, rA1, (codeAddr+4*nl)&0xffff),
		addiu(rA0, rZero, 1),
		addiu(rA2, rZero, 1),
		addiu(rV0, rZero, sysWrite),
		opSyscall,
		jr(rRA),
		nop,
		nop,
		// nl:
		0x0a000000,
	}
	if len(code) != nl+1 {
		panic("echoProgram: fix the label offsets")
	}
	return testELF(t, code, testSymbol{"_start", 0, puts}, testSymbol{"puts", puts, nl - puts})
}

func TestRunExampleHello(t *testing.T) {
	needExample(t, "hello")
	status, stdout, stderr := zkmips(t, "", "run", "example:hello")
	if status != 0 || stderr != "" {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
	if want := "hello from zkmips\nfib: [0 1 1 2 3 5 8 13 21 34]\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
}

func TestRunExampleFibPublicValues(t *testing.T) {
	needExample(t, "fib")
	dir := t.TempDir()
	in := filepath.Join(dir, "n")
	if err := os.WriteFile(in, []byte{10, 0, 0, 0}, 0o644); err != nil {
		t.Fatal(err)
	}
	pv, rep := filepath.Join(dir, "pv"), filepath.Join(dir, "report.json")
	status, stdout, stderr := zkmips(t, "", "run", "example:fib", "--input", in, "--public-values", pv, "--report", rep)
	if status != 0 || stderr != "" {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
	if want := "fib(10) mod 2^32 = 55\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	wantPV := []byte{10, 0, 0, 0, 55, 0, 0, 0}
	if got, err := os.ReadFile(pv); err != nil || !bytes.Equal(got, wantPV) {
		t.Errorf("public values = %x, %v; want %x", got, err, wantPV)
	}
	r := readReport(t, rep)
	digest := sha256.Sum256(wantPV)
	if r["public_values"] != hex.EncodeToString(wantPV) || r["public_values_digest"] != hex.EncodeToString(digest[:]) {
		t.Errorf("report public values %v, digest %v", r["public_values"], r["public_values_digest"])
	}
	if r["committed_digest"] != hex.EncodeToString(digest[:]) {
		t.Errorf("report committed_digest = %v, want %x", r["committed_digest"], digest)
	}
}

// readReport parses a --report file.
func readReport(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, data)
	}
	return r
}

func TestRunExitCode(t *testing.T) {
	prog := exitProgram(t, 7)
	rep := filepath.Join(t.TempDir(), "report.json")
	status, stdout, stderr := zkmips(t, "", "run", prog, "--report", rep)
	if status != 7 || stdout != "" || stderr != "" {
		t.Fatalf("status %d, stdout %q, stderr %q; want 7 and no output", status, stdout, stderr)
	}
	data, err := os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	r := readReport(t, rep)
	keys := []string{"program", "steps", "exit_code", "exited", "fault", "error", "elapsed_seconds", "steps_per_second",
		"opcodes", "syscalls", "unknown_syscalls", "public_values", "public_values_digest", "committed_digest"}
	last := -1
	for _, k := range keys {
		if _, ok := r[k]; !ok {
			t.Errorf("report has no %q", k)
		}
		// Keys appear in the documented order.
		i := bytes.Index(data, []byte(`"`+k+`":`))
		if i < last {
			t.Errorf("report key %q out of order", k)
		}
		last = i
	}
	if len(r) != len(keys) {
		t.Errorf("report has %d keys, want %d:\n%s", len(r), len(keys), data)
	}
	if r["program"] != prog || r["steps"] != 3.0 || r["exit_code"] != 7.0 || r["exited"] != true ||
		r["fault"] != nil || r["error"] != nil || r["committed_digest"] != nil || r["public_values"] != "" {
		t.Errorf("report:\n%s", data)
	}
	ops, _ := r["opcodes"].(map[string]any)
	if ops["addiu"] != 2.0 || ops["syscall"] != 1.0 || len(ops) != 2 {
		t.Errorf("opcodes = %v, want addiu 2, syscall 1", ops)
	}
	empty := sha256.Sum256(nil)
	if r["public_values_digest"] != hex.EncodeToString(empty[:]) {
		t.Errorf("public_values_digest = %v", r["public_values_digest"])
	}
	// Written atomically: no temporary file is left behind.
	if ents, _ := os.ReadDir(filepath.Dir(rep)); len(ents) != 1 {
		t.Errorf("report directory holds %d files, want 1", len(ents))
	}
}

func TestRunFault(t *testing.T) {
	prog := testELF(t, []uint32{lw(rT0, 0, rZero)}, testSymbol{"_start", 0, 1})
	rep := filepath.Join(t.TempDir(), "report.json")
	status, stdout, stderr := zkmips(t, "", "run", prog, "--report", rep)
	if status != 128+11 {
		t.Errorf("status = %d, want %d (128+SIGSEGV)", status, 128+11)
	}
	if stdout != "" {
		t.Errorf("stdout = %q", stdout)
	}
	oneErrorLine(t, stderr, "SIGSEGV")
	r := readReport(t, rep)
	f, _ := r["fault"].(map[string]any)
	if f == nil || f["signal"] != 11.0 || f["signal_name"] != "SIGSEGV" || f["pc"] != "0x00400100" || f["step"] != 0.0 ||
		f["kind"] == "" || !strings.Contains(stderr, f["message"].(string)) {
		t.Errorf("report fault = %v", r["fault"])
	}
	if r["exit_code"] != 139.0 || r["error"] != nil {
		t.Errorf("report exit_code %v, error %v", r["exit_code"], r["error"])
	}
}

func TestRunMaxSteps(t *testing.T) {
	prog := testELF(t, []uint32{beq(rZero, rZero, -1), nop})
	rep := filepath.Join(t.TempDir(), "report.json")
	status, _, stderr := zkmips(t, "", "run", prog, "--max-steps", "1000", "--report", rep)
	if status != exitFailure {
		t.Errorf("status = %d, want %d", status, exitFailure)
	}
	oneErrorLine(t, stderr, "step limit")
	r := readReport(t, rep)
	if r["steps"] != 1000.0 || r["exited"] != false || r["error"] == nil {
		t.Errorf("report steps %v, exited %v, error %v", r["steps"], r["exited"], r["error"])
	}
}

func TestRunArgsAndEnv(t *testing.T) {
	prog := echoProgram(t)
	status, stdout, stderr := zkmips(t, "", "run", prog, "--env", "FOO=bar", "--", "an arg")
	if status != 0 || stderr != "" {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
	if want := "an arg\nFOO=bar\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	// The host environment does not leak in; the last --env setting wins.
	t.Setenv("ZKMIPS_HOST_VAR", "leak")
	status, stdout, _ = zkmips(t, "", "run", "--env", "A=1", "--env", "A=2", prog, "--", "x")
	if status != 0 || stdout != "x\nA=2\n" {
		t.Errorf("status %d, stdout %q; want 0, %q", status, stdout, "x\nA=2\n")
	}
}

func TestGuestEnv(t *testing.T) {
	env, err := guestEnv([]string{"A=1", "B=x=y", "A=3", "C="})
	if err != nil || strings.Join(env, " ") != "A=3 B=x=y C=" {
		t.Errorf("guestEnv = %q, %v", env, err)
	}
	for _, bad := range []string{"A", "=1", ""} {
		if _, err := guestEnv([]string{bad}); err == nil {
			t.Errorf("guestEnv(%q) succeeded", bad)
		}
	}
}

func TestRunUsageErrors(t *testing.T) {
	prog := exitProgram(t, 0)
	missing := filepath.Join(t.TempDir(), "missing")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", missing}, "no such file"},
		{[]string{"run"}, "missing PROGRAM"},
		{[]string{"disasm"}, "missing PROGRAM"},
		{[]string{"examples", "x"}, "x"},
		{[]string{"run", prog, "extra"}, "--"},
		{[]string{"run", prog, "--bogus"}, "unknown flag"},
		{[]string{"run", prog, "--seed", "-1"}, "seed"},
		{[]string{"run", prog, "--env", "NOEQUALS"}, "KEY=VALUE"},
		{[]string{"run", prog, "--input", missing}, "--input"},
		{[]string{"run", prog, "--stdin", missing}, "--stdin"},
		{[]string{"run", "example:no-such-example"}, "example"},
		{[]string{"rn"}, `did you mean "run"`},
		{[]string{"disasm", prog, "--symbol", "nosuch"}, "nosuch"},
	} {
		status, stdout, stderr := zkmips(t, "", tc.args...)
		if status != exitFailure {
			t.Errorf("%q: status %d, want %d", tc.args, status, exitFailure)
		}
		if stdout != "" {
			t.Errorf("%q: stdout %q", tc.args, stdout)
		}
		oneErrorLine(t, stderr, tc.want)
	}
}

func TestRunUnknownExampleSuggestion(t *testing.T) {
	needExample(t, "hello")
	status, _, stderr := zkmips(t, "", "run", "example:helo")
	if status != exitFailure {
		t.Errorf("status = %d, want %d", status, exitFailure)
	}
	oneErrorLine(t, stderr, `did you mean "hello"?`)
}

// catProgram copies its standard input to its standard output.
func catProgram(t *testing.T) string {
	const loop, out = 1, 15
	return testELF(t, []uint32{
		addiu(rSP, rSP, -64),
		// loop:
		addu(rA0, rZero, rZero),
		addu(rA1, rSP, rZero),
		addiu(rA2, rZero, 64),
		addiu(rV0, rZero, sysRead),
		opSyscall,
		iType(6, rV0, 0, out-7), // blez $v0, out
		nop,
		addu(rA2, rV0, rZero),
		addiu(rA0, rZero, 1),
		addu(rA1, rSP, rZero),
		addiu(rV0, rZero, sysWrite),
		opSyscall,
		beq(rZero, rZero, loop-14),
		nop,
		// out:
		addu(rA0, rZero, rZero),
		addiu(rV0, rZero, sysExitGroup),
		opSyscall,
	})
}

func TestRunStdin(t *testing.T) {
	prog := catProgram(t)
	big := strings.Repeat("0123456789abcdef", 20000) // past the 64 KiB output buffer
	status, stdout, stderr := zkmips(t, big, "run", prog)
	if status != 0 || stderr != "" || stdout != big {
		t.Errorf("process stdin: status %d, stderr %q, %d bytes out (want %d)", status, stderr, len(stdout), len(big))
	}
	file := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(file, []byte("from a file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	status, stdout, stderr = zkmips(t, "not this", "run", prog, "--stdin", file)
	if status != 0 || stderr != "" || stdout != "from a file\n" {
		t.Errorf("--stdin: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
}

func TestRunReportUnwritable(t *testing.T) {
	prog := exitProgram(t, 0)
	bad := filepath.Join(t.TempDir(), "no", "dir", "report.json")
	status, _, stderr := zkmips(t, "", "run", prog, "--report", bad)
	if status != exitFailure {
		t.Errorf("status = %d, want %d", status, exitFailure)
	}
	oneErrorLine(t, stderr, "--report")
}

func TestDisasm(t *testing.T) {
	prog := echoProgram(t)
	status, stdout, stderr := zkmips(t, "", "disasm", prog)
	if status != 0 || stderr != "" {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
	for _, want := range []string{
		"<_start>:\n0x00400100  8fb00000  lw $s0, 0($sp)\n",
		"0x00400108  0c10004c  jal 0x400130 <puts>\n",
		"\n<puts>:\n0x00400130  00003021  addu $a2, $zero, $zero\n",
		"0x0040017c  0a000000  j 0x8000000\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("disasm output lacks %q:\n%s", want, stdout)
		}
	}
	// The segment starts with the ELF and program headers (84 bytes, not
	// listed), zero padding up to 0x100 (elided), then the code.
	if !strings.HasPrefix(stdout, "...\n\n<_start>:\n") {
		t.Errorf("disasm does not start with the elided padding:\n%s", stdout[:min(len(stdout), 200)])
	}
	if n := strings.Count(stdout, "\n0x"); n != 32 {
		t.Errorf("disasm printed %d instructions, want 32", n)
	}

	status, stdout, stderr = zkmips(t, "", "disasm", prog, "--symbol", "puts")
	if status != 0 || stderr != "" {
		t.Fatalf("--symbol: status %d, stderr %q", status, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 20 || lines[0] != "<puts>:" || lines[1] != "0x00400130  00003021  addu $a2, $zero, $zero" ||
		lines[19] != "0x00400178  00000000  nop" {
		t.Errorf("--symbol puts printed:\n%s", stdout)
	}

	status, _, stderr = zkmips(t, "", "disasm", prog, "--symbol", "put")
	if status != exitFailure {
		t.Errorf("--symbol put: status %d", status)
	}
	oneErrorLine(t, stderr, `did you mean "puts"?`)
}

func TestExamplesAndVersion(t *testing.T) {
	status, stdout, stderr := zkmips(t, "", "examples")
	if status != 0 || stderr != "" || !strings.HasPrefix(stdout, "NAME") {
		t.Errorf("examples: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	for _, name := range examples.Names() {
		if !strings.Contains(stdout, "\n"+name+" ") {
			t.Errorf("examples does not list %s:\n%s", name, stdout)
		}
	}
	status, stdout, _ = zkmips(t, "", "version")
	if status != 0 || !strings.HasPrefix(stdout, "zkmips ") || strings.Count(stdout, "\n") != 1 {
		t.Errorf("version: status %d, stdout %q", status, stdout)
	}
	status, stdout, _ = zkmips(t, "", "--help")
	if status != 0 || !strings.Contains(stdout, "zkmips run") {
		t.Errorf("--help: status %d, stdout %q", status, stdout)
	}
	status, stdout, _ = zkmips(t, "")
	if status != 0 || !strings.Contains(stdout, "Available Commands") {
		t.Errorf("no arguments: status %d, stdout %q", status, stdout)
	}
}
