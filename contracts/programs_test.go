package contracts_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/zkmips/zkmips/contracts"
	"github.com/zkmips/zkmips/examples"
	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
	"github.com/zkmips/zkmips/witness"
)

// gasStats collects step() execution gas per instruction class.
type gasStats map[string][]uint64

func (g gasStats) add(class string, gas uint64) { g[class] = append(g[class], gas) }

func (g gasStats) report(t *testing.T, name string) (median, maxGas uint64) {
	var all []uint64
	classes := make([]string, 0, len(g))
	for c, v := range g {
		classes = append(classes, c)
		all = append(all, v...)
	}
	slices.Sort(classes)
	for _, c := range classes {
		v := g[c]
		slices.Sort(v)
		t.Logf("%s %-8s n=%-7d median %6d  max %6d", name, c, len(v), v[len(v)/2], v[len(v)-1])
	}
	slices.Sort(all)
	if len(all) == 0 {
		return 0, 0
	}
	t.Logf("%s all      n=%-7d median %6d  max %6d", name, len(all), all[len(all)/2], all[len(all)-1])
	return all[len(all)/2], all[len(all)-1]
}

// class names an instruction's gas class.
func class(in program.Inst) string {
	switch {
	case in.Op == program.OpSYSCALL:
		return "syscall"
	case in.Op >= program.OpLB && in.Op <= program.OpLL && in.Op != program.OpSB && in.Op != program.OpSH && in.Op != program.OpSWL && in.Op != program.OpSW && in.Op != program.OpSWR:
		return "load"
	case in.Op >= program.OpSB && in.Op <= program.OpSC:
		return "store"
	case in.Op >= program.OpJ && in.Op <= program.OpBGTZL || in.Op >= program.OpBLTZ && in.Op <= program.OpBGEZALL || in.Op == program.OpJR || in.Op == program.OpJALR:
		return "branch"
	}
	return "alu"
}

// checkProgram proves steps of a program with the Go executor and checks
// each in the EVM: the contract's post state must equal the witness's.
// every selects the steps checked (1: all). It returns how many steps were
// checked and how many were out of the contract's scope.
func checkProgram(t *testing.T, name string, elf []byte, every, maxSteps uint64, gas gasStats, onWitness func(*witness.StepWitness)) (checked, unprovable int) {
	t.Helper()
	p, err := program.Load(elf)
	if err != nil {
		t.Fatal(err)
	}
	m, err := executor.New(p, executor.Config{})
	if err != nil {
		t.Fatal(err)
	}
	vm, err := contracts.NewVM(p.BigEndian)
	if err != nil {
		t.Fatal(err)
	}
	tree := witness.NewTree()
	var lc [32]byte
	for !m.Exited() && m.Err() == nil && m.Step() < maxSteps {
		step := m.Step()
		if step%every != 0 {
			m.RunUntil((step/every + 1) * every)
			continue
		}
		pc := m.PC()
		var in program.Inst
		if pc&3 == 0 && pc >= executor.NullLimit {
			in = m.InstAt(pc)
		}
		w, err := witness.Prove(m, tree)
		if errors.Is(err, witness.ErrUnprovable) && m.Step() == step {
			unprovable++
			m.RunUntil(step + 1)
			continue
		}
		if err != nil {
			t.Fatalf("%s step %d: %v", name, step, err)
		}
		if w.Oracle != nil {
			if err := vm.LoadPreimage(w.Oracle.Key, w.Oracle.Value[8:], w.Oracle.Offset, lc); err != nil {
				t.Fatal(err)
			}
		}
		post, g, err := vm.Step(w.State[:], w.Proofs, lc)
		if err != nil {
			t.Fatalf("%s step %d (pc 0x%08x %s): %v", name, step, pc, in, err)
		}
		if post != w.Post {
			t.Fatalf("%s step %d (pc 0x%08x %s): contract post %x, executor post %x", name, step, pc, in, post, w.Post)
		}
		gas.add(class(in), g)
		if onWitness != nil {
			onWitness(w)
		}
		checked++
	}
	return checked, unprovable
}

// TestPrograms checks whole example programs against the contract
// through checkProgram (the path the other program tests share): every
// 7th step of the Go hello program in both byte orders and of the C hello
// program (TestMIPSExamples checks every step of the same programs; doing
// it twice took the package near go test's 10-minute limit), and reports
// the gas per instruction class. -short checks every 97th step.
func TestPrograms(t *testing.T) {
	every := uint64(7)
	if testing.Short() {
		every = 97
	}
	for _, name := range []string{"hello", "hello-le", "hello-c"} {
		t.Run(name, func(t *testing.T) {
			elf, ok := examples.Get(name)
			if !ok {
				t.Fatalf("no example %s", name)
			}
			gas := gasStats{}
			checked, unprovable := checkProgram(t, name, elf, every, 1<<62, gas, nil)
			median, _ := gas.report(t, name)
			t.Logf("%s: %d steps checked, %d out of scope", name, checked, unprovable)
			if checked == 0 || unprovable*100 > checked {
				t.Fatalf("%s: %d steps checked, %d out of scope", name, checked, unprovable)
			}
			_ = median
		})
	}
}

// TestTamperedWitness corrupts, for sampled steps, bytes of every state
// field the step carries over (memRoot, pre-image key and offset, pc,
// nextPC, heap, exit code and flag, step, r0) and the leaf and siblings of
// each proof, and drops or adds a proof: the contract must revert or return
// another post state, never the honest one. Tampered oracle values are
// checked in mips_isa_test.go.
func TestTamperedWitness(t *testing.T) {
	for _, name := range []string{"hello", "hello-le"} {
		elf, _ := examples.Get(name)
		p, err := program.Load(elf)
		if err != nil {
			t.Fatal(err)
		}
		vm, err := contracts.NewVM(p.BigEndian)
		if err != nil {
			t.Fatal(err)
		}
		var lc [32]byte
		tried := 0
		checkProgram(t, name, elf, 1009, 1<<62, gasStats{}, func(w *witness.StepWitness) {
			try := func(what string, state, proofs []byte) {
				tried++
				post, _, err := vm.Step(state, proofs, lc)
				if err == nil && post == w.Post {
					t.Fatalf("%s step %d: tampered %s still gives the honest post state", name, w.Step, what)
				}
			}
			// Registers and HI/LO are left out: a step that overwrites one
			// without reading it rightly gives the honest post state.
			for _, off := range []int{0, 17, 31, 32, 63, 64, 67, 68, 71, 72, 75, 84, 87, 88, 89, 90, 97, 98} {
				s := slices.Clone(w.State[:])
				s[off] ^= 0x01
				try(fmt.Sprintf("state byte %d", off), s, w.Proofs)
			}
			for k := 0; k < w.NumProofs(); k++ {
				for _, off := range []int{0, 13, 31, 32, 32*27 + 5} {
					pr := slices.Clone(w.Proofs)
					pr[k*witness.ProofSize+off] ^= 0x80
					try(fmt.Sprintf("proof %d byte %d", k, off), w.State[:], pr)
				}
			}
			try("truncated proofs", w.State[:], w.Proofs[:len(w.Proofs)-witness.ProofSize])
			try("extra proof", w.State[:], append(slices.Clone(w.Proofs), w.Proofs[:witness.ProofSize]...))
		})
		if tried == 0 {
			t.Fatalf("%s: nothing tampered", name)
		}
	}
}

// TestCorpusSample checks a sample of steps of every committed C and asm
// test guest (both byte orders) against the contract.
func TestCorpusSample(t *testing.T) {
	files, _ := filepath.Glob("../testdata/guests/bin/*")
	if len(files) == 0 {
		t.Fatal("no guests in testdata/guests/bin")
	}
	total := 0
	for _, f := range files {
		elf, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := program.Load(elf); err != nil {
			continue
		}
		n, _ := checkProgram(t, filepath.Base(f), elf, 13, 300_000, gasStats{}, nil)
		total += n
	}
	t.Logf("%d steps of %d guests checked", total, len(files))
}
