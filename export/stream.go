package export

import (
	"context"
	"io"
)

// WriteTo writes what fn writes to path as the export writes its files:
// a regular file whole or not at all (written beside it, then renamed over
// it, keeping an existing file's mode), a FIFO or a device in place; "-"
// is stdout. For files that are not answers (a store's history).
func WriteTo(ctx context.Context, path string, stdout io.Writer, fn func(io.Writer) error) error {
	if path == "-" {
		return fn(stdout)
	}
	return writeDestination(ctx, path, fn)
}
