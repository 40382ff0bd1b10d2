//go:build !linux

package graph

import "os"

func reserveRW(f *os.File, size int) error       { return errNoMaps }
func mapRW(f *os.File, size int) ([]byte, error) { return nil, errNoMaps }
func unmapRW(m []byte)                           {}
func dropMapped(m []byte)                        {}

const mapPopulate = 0
