package graph

import (
	"errors"
	"strings"
	"syscall"

	"github.com/entente-kg/entente/graph/quadstore"
)

// Errors returned by this package. Test for them with errors.Is; the
// returned errors add detail (the directory, the process holding a lock,
// the versions involved).
var (
	// ErrLocked: another process holds the store open for writing (or,
	// for a writer, open at all).
	ErrLocked = errors.New("graph: store is locked by another process")
	// ErrReadOnly: the store was opened read-only and was asked to write.
	ErrReadOnly = errors.New("graph: store is open read-only")
	// ErrCorrupt: the store's files cannot be read as an Entente store.
	ErrCorrupt = errors.New("graph: store is corrupt")
	// ErrFormatVersion: the store was written by another format version.
	ErrFormatVersion = errors.New("graph: store format version is not supported")
	// ErrNoStore: an open that may not create a store (read-only, or
	// Options.MustExist) found none in the directory.
	ErrNoStore = errors.New("graph: no store in directory")
	// ErrNotStore: the directory holds files no store has; Open never
	// creates a store among them.
	ErrNotStore = errors.New("graph: directory is not an Entente store")
	// ErrNeedsRecovery: a read-only open found a store a crash left
	// unsettled (logs to replay, a load to undo); a writable open
	// settles it.
	ErrNeedsRecovery = errors.New("graph: store needs recovery after a crash")
	// ErrNoSpace: the disk holding the store is too full for the write
	// (or a writable open); a load stopped by it was undone.
	ErrNoSpace = errors.New("graph: not enough free disk space")
	// ErrTooLarge: a batch is larger than one transaction can hold.
	ErrTooLarge = errors.New("graph: batch too large for one transaction")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("graph: store is closed")
	// ErrUnreachable: the database server of a postgres:// store cannot
	// be reached or refused the connection.
	ErrUnreachable = errors.New("graph: cannot connect to the database server")
	// ErrInitialized: Init found the database's schema already there.
	ErrInitialized = errors.New("graph: the database already has an Entente schema")
	// ErrNotFound: an entity or value is not in the graph.
	ErrNotFound = errors.New("graph: not found")
)

// storeError is a graph sentinel with the detail of the error behind it.
type storeError struct {
	kind   error
	detail string
	cause  error
}

func (e *storeError) Error() string {
	if e.detail == "" {
		return e.kind.Error()
	}
	return e.kind.Error() + ": " + e.detail
}

func (e *storeError) Unwrap() []error { return []error{e.kind, e.cause} }

// mapErr turns the store engine's sentinel errors into this package's,
// keeping the detail.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, syscall.ENOSPC) && !errors.Is(err, quadstore.ErrNoSpace) {
		return &storeError{kind: ErrNoSpace, detail: err.Error(), cause: err}
	}
	for _, m := range []struct{ from, to error }{
		{quadstore.ErrReadOnly, ErrReadOnly},
		{quadstore.ErrCorrupt, ErrCorrupt},
		{quadstore.ErrFormatVersion, ErrFormatVersion},
		{quadstore.ErrTooLarge, ErrTooLarge},
		{quadstore.ErrClosed, ErrClosed},
		{quadstore.ErrNotStore, ErrNotStore},
		{quadstore.ErrNeedsRecovery, ErrNeedsRecovery},
		{quadstore.ErrNoSpace, ErrNoSpace},
	} {
		if errors.Is(err, m.from) {
			detail := strings.TrimPrefix(strings.Replace(err.Error(), m.from.Error(), "", 1), ": ")
			return &storeError{kind: m.to, detail: detail, cause: err}
		}
	}
	return err
}
