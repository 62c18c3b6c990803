package oracle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/zkmips/zkmips/executor"
)

// HostProcess is a pre-image oracle served by a host process speaking the
// op-program host protocol (see Host). It is safe for concurrent use: one
// request is outstanding at a time.
type HostProcess struct {
	name string // the command line, for messages
	cmd  *exec.Cmd

	mu     sync.Mutex
	hintW  *os.File // the host's fd 3: hints
	ackR   *os.File // the host's fd 4: hint acknowledgements
	keyW   *os.File // the host's fd 5: pre-image keys
	valR   *os.File // the host's fd 6: pre-image values
	broken error    // set once the protocol stream is unusable
	closed bool
	closeE error

	done    chan struct{} // closed when the process has exited
	waitErr error         // its exit status, once done
}

var _ executor.Oracle = (*HostProcess)(nil)

// closeWait is how long Close waits for the host to exit once its request
// pipes are closed, before killing it.
const closeWait = 10 * time.Second

// Host starts cmd (the program and its arguments) as a pre-image host, as
// Cannon starts op-program: in the host process fd 3 reads hints (u32
// big-endian length || hint), fd 4 acknowledges each hint with one byte,
// fd 5 reads 32-byte pre-image keys and fd 6 answers each with u64
// big-endian length || data. The host's standard output and error go to
// stderr (discarded when nil); its standard input is empty. Close stops it.
// The answers to keccak256 and sha256 keys are checked against the key.
func Host(cmd []string, stderr io.Writer) (*HostProcess, error) {
	if len(cmd) == 0 || cmd[0] == "" {
		return nil, errors.New("pre-image host: no command given")
	}
	h := &HostProcess{name: commandLine(cmd), done: make(chan struct{})}
	var pipes [4][2]*os.File // read end, write end
	closeAll := func() {
		for _, p := range pipes {
			for _, f := range p {
				if f != nil {
					f.Close()
				}
			}
		}
	}
	for i := range pipes {
		r, w, err := os.Pipe()
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("host command %s: creating its pipes: %w", h.name, err)
		}
		pipes[i] = [2]*os.File{r, w}
	}
	c := exec.Command(cmd[0], cmd[1:]...)
	// The child's fds 3, 4, 5, 6 in order.
	c.ExtraFiles = []*os.File{pipes[0][0], pipes[1][1], pipes[2][0], pipes[3][1]}
	c.Stdout, c.Stderr = stderr, stderr
	if err := c.Start(); err != nil {
		closeAll()
		return nil, fmt.Errorf("host command %s: %w", h.name, err)
	}
	for _, f := range c.ExtraFiles {
		f.Close() // the child's ends
	}
	h.cmd = c
	h.hintW, h.ackR, h.keyW, h.valR = pipes[0][1], pipes[1][0], pipes[2][1], pipes[3][0]
	go func() {
		h.waitErr = c.Wait()
		close(h.done)
	}()
	return h, nil
}

// commandLine renders a command for messages, quoting words with spaces.
func commandLine(cmd []string) string {
	words := make([]string, len(cmd))
	for i, w := range cmd {
		if w == "" || strings.ContainsAny(w, " \t\n\"'") {
			w = fmt.Sprintf("%q", w)
		}
		words[i] = w
	}
	s := strings.Join(words, " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// Command returns the host's command line as messages show it.
func (h *HostProcess) Command() string { return h.name }

// fail marks the stream broken after an I/O error and describes it, with
// the host's exit status when it has exited (as it usually has when a
// pipe breaks).
func (h *HostProcess) fail(what string, err error) error {
	select {
	case <-h.done:
	case <-time.After(time.Second):
	}
	status := ""
	select {
	case <-h.done:
		if h.waitErr != nil {
			status = fmt.Sprintf(" (the host exited: %v)", h.waitErr)
		} else {
			status = " (the host exited with status 0)"
		}
	default:
	}
	h.broken = fmt.Errorf("host command %s: %s: %w%s", h.name, what, err, status)
	return h.broken
}

// usable reports why no request can be made, if so.
func (h *HostProcess) usable() error {
	if h.closed {
		return fmt.Errorf("host command %s: used after Close", h.name)
	}
	return h.broken
}

// Hint sends one hint and waits for its acknowledgement.
func (h *HostProcess) Hint(hint []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.usable(); err != nil {
		return err
	}
	if uint64(len(hint)) > 1<<32-1 {
		return fmt.Errorf("host command %s: a hint of %d bytes does not fit the protocol's 32-bit length", h.name, len(hint))
	}
	msg := make([]byte, 4+len(hint))
	binary.BigEndian.PutUint32(msg, uint32(len(hint)))
	copy(msg[4:], hint)
	if _, err := h.hintW.Write(msg); err != nil {
		return h.fail(fmt.Sprintf("sending hint %q", shortHint(hint)), err)
	}
	var ack [1]byte
	if _, err := io.ReadFull(h.ackR, ack[:]); err != nil {
		return h.fail(fmt.Sprintf("waiting for the acknowledgement of hint %q", shortHint(hint)), err)
	}
	return nil
}

// Preimage asks the host for the pre-image of key.
func (h *HostProcess) Preimage(key [32]byte) ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.usable(); err != nil {
		return nil, err
	}
	if _, err := h.keyW.Write(key[:]); err != nil {
		return nil, h.fail(fmt.Sprintf("sending pre-image key 0x%x", key), err)
	}
	var lb [8]byte
	if _, err := io.ReadFull(h.valR, lb[:]); err != nil {
		return nil, h.fail(fmt.Sprintf("reading the length of pre-image 0x%x", key), err)
	}
	n := binary.BigEndian.Uint64(lb[:])
	if n > executor.MaxPreimageSize {
		h.broken = fmt.Errorf("host command %s: it answered pre-image 0x%x with a length of %d bytes; the limit is %d", h.name, key, n, executor.MaxPreimageSize)
		return nil, h.broken
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(h.valR, data); err != nil {
		return nil, h.fail(fmt.Sprintf("reading the %d bytes of pre-image 0x%x", n, key), err)
	}
	if err := Verify(key, data); err != nil {
		return nil, fmt.Errorf("host command %s answered with a wrong pre-image: %w", h.name, err)
	}
	return data, nil
}

// Close closes the host's request pipes, which tells it to exit, and waits
// for it (killing it if it has not exited after 10 seconds). It returns an
// error naming the command when the host did not exit with status 0.
// Later calls return the same result.
func (h *HostProcess) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return h.closeE
	}
	h.closed = true
	h.hintW.Close()
	h.keyW.Close()
	timer := time.NewTimer(closeWait)
	defer timer.Stop()
	select {
	case <-h.done:
	case <-timer.C:
		h.cmd.Process.Kill()
		<-h.done
		h.closeE = fmt.Errorf("host command %s did not exit within %v of its request pipes closing: killed", h.name, closeWait)
	}
	h.ackR.Close()
	h.valR.Close()
	if h.closeE == nil && h.waitErr != nil {
		h.closeE = fmt.Errorf("host command %s: %w", h.name, h.waitErr)
	}
	return h.closeE
}

// shortHint returns the start of a hint for messages.
func shortHint(h []byte) string {
	if len(h) > 80 {
		return string(h[:80]) + "..."
	}
	return string(h)
}
