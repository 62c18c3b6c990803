package executor_test

import (
	"testing"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/internal/asm"
)

// BenchmarkStepLoop measures the step loop on a tight loop of typical
// instructions: 10^7 iterations of a ten-instruction body with loads,
// stores, ALU operations and a taken branch with its delay slot.
func BenchmarkStepLoop(b *testing.B) {
	const iterations = 10_000_000
	for _, o := range orders {
		b.Run(o.name, func(b *testing.B) {
			p := asm.New(o.be)
			p.LA(s1, "buf")
			p.LI(t0, iterations)
			p.ADDIU(t1, zero, 0)
			p.Label("loop")
			p.LW(t2, 0, s1)
			p.ADDU(t1, t1, t2)
			p.XOR(t3, t1, t0)
			p.SLL(t4, t3, 3)
			p.SW(t4, 4, s1)
			p.ADDIU(t2, t2, 1)
			p.SW(t2, 0, s1)
			p.ADDIU(t0, t0, -1)
			p.BNE(t0, zero, "loop")
			p.SRL(t5, t4, 2) // delay slot
			p.ExitReg(zero)
			p.BSS("buf", 8)
			const wantSteps = 5 + 10*iterations + 3
			prog, err := p.Program()
			if err != nil {
				b.Fatal(err)
			}

			var steps uint64
			for b.Loop() {
				b.StopTimer()
				m, err := executor.New(prog, executor.Config{NoGoPatches: true})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				r := m.Run()
				if r.Err != nil || !r.Exited || r.ExitCode != 0 || r.Steps != wantSteps {
					b.Fatalf("run: err %v exited %v code %d steps %d (want %d)", r.Err, r.Exited, r.ExitCode, r.Steps, wantSteps)
				}
				sum := uint64(iterations) * (iterations - 1) / 2 // of 0..iterations-1
				if got := m.Reg(int(t1)); got != uint32(sum) {
					b.Fatalf("sum 0x%x", got)
				}
				steps += r.Steps
			}
			b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "insn/s")
		})
	}
}
