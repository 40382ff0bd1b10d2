package server

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/entente-kg/entente/export"
	"github.com/entente-kg/entente/query"
)

// writeCSVZip writes a CSV export — the relations and, beside them, the
// nodes — as a zip of its two files.
func writeCSVZip(ctx context.Context, w io.Writer, res *query.Result, opts *export.Options) error {
	dir, err := os.MkdirTemp("", "entente-serve-csv")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	files, err := export.WriteFile(ctx, filepath.Join(dir, "entente-view.csv"), res, export.CSV, opts)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, f := range files {
		if err := addFile(zw, f); err != nil {
			return err
		}
	}
	return zw.Close()
}

func addFile(zw *zip.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	out, err := zw.CreateHeader(&zip.FileHeader{Name: filepath.Base(path), Method: zip.Deflate, Modified: time.Now()})
	if err != nil {
		return err
	}
	_, err = io.Copy(out, f)
	return err
}
