package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"visitbot/importer"
)

const importSynopsis = "import <kind> <file.xlsx|file.csv> [-mapping m.yaml] [-partial] [-dry-run]\n" +
	"       visitbot import template <kind> [-o file.xlsx|file.csv|-]"

// runImport loads one file of master data or signals; see importer.
func runImport(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) > 0 && args[0] == "template" {
		return runImportTemplate(env, args[1:])
	}
	fs := newFlags(env, "import", importSynopsis)
	mappingPath := fs.String("mapping", "", "YAML file mapping your column names and value labels to visitbot fields")
	partial := fs.Bool("partial", false, "import the good rows of a file that also has bad ones")
	dryRun := fs.Bool("dry-run", false, "validate and count, write nothing")
	fs.Usage = importUsage(env, fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return errors.New("need a kind and a file")
	}
	kind, path := pos[0], pos[1]
	if _, err := importer.Fields(kind); err != nil {
		return err
	}
	var m *importer.Mapping
	if *mappingPath != "" {
		if m, err = importer.LoadMapping(*mappingPath, kind); err != nil {
			return err
		}
	}
	start := time.Now()
	in, err := importer.ReadFile(path, kind, m)
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	a, err := env.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := a.Importer.Import(ctx, kind, in, importer.Options{Partial: *partial, DryRun: *dryRun, Mapping: m})
	printImportReport(env.stdout, filepath.Base(path), rep, time.Since(start))
	if errors.Is(err, importer.ErrRejected) {
		return fmt.Errorf("%d bad rows; nothing imported (fix them, or use -partial to import only the good rows)", max(1, len(badRowSet(rep.Errors))))
	}
	return err
}

func importUsage(env *cliEnv, fs *flag.FlagSet) func() {
	return func() {
		fmt.Fprintf(env.stderr, "usage: visitbot %s\n\nkinds (import in this order):\n", importSynopsis)
		for _, k := range importer.Kinds() {
			fmt.Fprintf(env.stderr, "  %-16s %s\n", k, importer.KindSummary(k))
		}
		fmt.Fprintln(env.stderr, "\nflags:")
		fs.PrintDefaults()
	}
}

func badRowSet(errs []importer.RowError) map[int]bool {
	rows := map[int]bool{}
	for _, e := range errs {
		rows[e.Row] = true
	}
	return rows
}

func printImportReport(w io.Writer, file string, rep importer.Report, took time.Duration) {
	fmt.Fprintf(w, "%s from %s: %d rows read in %s\n", rep.Kind, file, rep.Rows, took.Round(time.Millisecond))
	if len(rep.Ignored) > 0 {
		fmt.Fprintf(w, "ignored columns (not mapped to any field): %s\n", strings.Join(rep.Ignored, ", "))
	}
	if len(rep.Errors) > 0 {
		fmt.Fprintf(w, "%d problems in %d rows:\n", len(rep.Errors), len(badRowSet(rep.Errors)))
		for _, e := range rep.Errors {
			fmt.Fprintln(w, "  "+e.String())
		}
	}
	switch {
	case rep.DryRun && (len(rep.Errors) == 0 || rep.Skipped > 0):
		fmt.Fprintf(w, "dry run, nothing written: would create %d, update %d, leave %d unchanged", rep.Created, rep.Updated, rep.Unchanged)
	case rep.Written:
		fmt.Fprintf(w, "created %d, updated %d, unchanged %d", rep.Created, rep.Updated, rep.Unchanged)
	default:
		fmt.Fprint(w, "nothing written")
	}
	if rep.Skipped > 0 {
		fmt.Fprintf(w, ", skipped %d bad rows", rep.Skipped)
	}
	fmt.Fprintln(w)
}

// runImportTemplate writes an empty file with the expected headers.
func runImportTemplate(env *cliEnv, args []string) error {
	fs := newFlags(env, "import template", "import template <kind> [-o file.xlsx|file.csv|-]")
	out := fs.String("o", "", "output file; .xlsx or .csv, - for CSV on stdout (default <kind>.xlsx)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("need one kind: %s", strings.Join(importer.Kinds(), ", "))
	}
	kind := pos[0]
	if _, err := importer.Fields(kind); err != nil {
		return err
	}
	path := *out
	if path == "" {
		path = kind + ".xlsx"
	}
	if path == "-" {
		return importer.WriteTemplate(env.stdout, kind, importer.FormatCSV)
	}
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != importer.FormatXLSX && format != importer.FormatCSV {
		return fmt.Errorf("-o %s: the file must end in .xlsx or .csv", path)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	if err := importer.WriteTemplate(f, kind, format); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "wrote %s\n", path)
	return nil
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments ("import doctors d.xlsx -dry-run").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
