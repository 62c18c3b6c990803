package executor

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"slices"
)

// ErrStdinNotClonable is returned by Clone when the machine reads its
// standard input from a stream that cannot be replayed.
var ErrStdinNotClonable = errors.New("cannot checkpoint a machine whose stdin is a stream: give it a *bytes.Reader")

// Clone returns an independent copy of the machine — a checkpoint from
// which the rest of the run can be executed again, exactly as the original
// would execute it. The copy writes the guest's stdout and stderr to the
// writers given (nil discards them). Standard input must be a
// *bytes.Reader (or absent) so that the copy reads the same bytes.
func (m *Machine) Clone(stdout, stderr io.Writer) (*Machine, error) {
	c := *m
	c.cfg.Stdout, c.cfg.Stderr = stdout, stderr
	c.acc = nil
	c.mem = m.mem.clone()
	c.codeOwned, m.codeOwned = false, false // the code list is shared until written
	c.patched = append([]string(nil), m.patched...)

	o := &c.os
	switch in := m.os.stdin.(type) {
	case nil:
	case *bytes.Reader:
		r := *in
		o.stdin = &r
	default:
		return nil, ErrStdinNotClonable
	}
	c.cfg.Stdin = o.stdin
	c.pre.hint = slices.Clone(m.pre.hint) // the cached pre-image is never modified: shared
	o.calls = maps.Clone(m.os.calls)
	o.unknown = maps.Clone(m.os.unknown)
	o.dropped = maps.Clone(m.os.dropped)

	z := &c.zk
	z.inputs = append([][]byte(nil), m.zk.inputs...)
	z.public = append([]byte(nil), m.zk.public...)
	z.badFDs = maps.Clone(m.zk.badFDs)
	if m.zk.snap != nil {
		s := *m.zk.snap
		s.mem = m.zk.snap.mem.clone()
		s.codeOwned, m.zk.snap.codeOwned = false, false
		z.snap = &s
	}
	return &c, nil
}
