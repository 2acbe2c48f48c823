package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

type entry struct {
	size int64
	path string
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: filetreewalk DIR")
		os.Exit(2)
	}
	var entries []entry
	err := filepath.WalkDir(os.Args[1], func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		entries = append(entries, entry{info.Size(), path})
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].size > entries[j].size })
	for _, e := range entries {
		fmt.Printf("%d %s\n", e.size, e.path)
	}
}
