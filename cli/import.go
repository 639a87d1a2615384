package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"visitbot/config"
	"visitbot/importer"
	"visitbot/internal/app"
)

const importSynopsis = "import <kind> <file.xlsx|file.csv> [-mapping m.yaml] [-partial] [-dry-run] [-create-missing products] [-lang zh|en] [-v]\n" +
	"       visitbot import bundle <dir|bundle.zip> [-dry-run] [-partial] [-create-missing products] [-lang zh|en] [-v]\n" +
	"       visitbot import template <kind> [-o file.xlsx|file.csv|-]"

// importFlags are the flags shared by a single file and a bundle.
type importFlags struct {
	partial, dryRun, verbose *bool
	createMissing, lang      *string
}

func addImportFlags(fs *flag.FlagSet) importFlags {
	return importFlags{
		partial:       fs.Bool("partial", false, "import the good rows of files that also have bad ones"),
		dryRun:        fs.Bool("dry-run", false, "validate and count everything, write nothing"),
		verbose:       fs.Bool("v", false, "list every problem, not only one line per kind of problem"),
		createMissing: fs.String("create-missing", "", "create referenced rows that do not exist: products (named in flow and doctor_products)"),
		lang:          fs.String("lang", "", "report language: zh or en (default import.lang)"),
	}
}

func (f importFlags) options() importer.Options {
	var create []string
	for _, c := range strings.Split(*f.createMissing, ",") {
		if c = strings.TrimSpace(c); c != "" {
			create = append(create, c)
		}
	}
	return importer.Options{Partial: *f.partial, DryRun: *f.dryRun, CreateMissing: create}
}

func (f importFlags) language(cfg config.Config) (importer.Lang, error) {
	if *f.lang != "" {
		return importer.ParseLang(*f.lang)
	}
	return importer.ParseLang(cfg.Import.Lang)
}

// runImport loads one file of master data or signals, or a bundle; see importer.
func runImport(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "template":
			return runImportTemplate(env, args[1:])
		case "bundle":
			return runImportBundle(ctx, env, args[1:])
		}
	}
	fs := newFlags(env, "import", importSynopsis)
	mappingPath := fs.String("mapping", "", "YAML file mapping your columns, constants and value labels to visitbot fields")
	flags := addImportFlags(fs)
	fs.Usage = importUsage(env, fs)
	pos, err := parsePositional(fs, args, 2, errors.New("need a kind and a file (or: import bundle DIR)"))
	if err != nil {
		return err
	}
	kind, path := pos[0], pos[1]
	if _, err := importer.Fields(kind); err != nil {
		return err
	}
	a, lang, err := openImportApp(ctx, env, flags)
	if err != nil {
		return err
	}
	defer a.Close()
	var m *importer.Mapping
	if *mappingPath != "" {
		if m, err = a.Importer.LoadMapping(*mappingPath, kind); err != nil {
			return err
		}
	}
	in, err := importer.OpenFile(path, kind, m)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := a.Importer.ImportFiles(ctx, []importer.Input{in}, flags.options())
	return finishImport(ctx, env, a, res, err, importOutcome{lang: lang, verbose: *flags.verbose, start: start})
}

// runImportBundle loads DIR/bundle.yaml (or a zipped bundle) in one transaction.
func runImportBundle(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "import bundle", "import bundle <dir|bundle.zip> [-dry-run] [-partial] [-create-missing products] [-lang zh|en] [-v]")
	flags := addImportFlags(fs)
	pos, err := parsePositional(fs, args, 1, errors.New("need a bundle directory (holding bundle.yaml) or a .zip of one"))
	if err != nil {
		return err
	}
	a, lang, err := openImportApp(ctx, env, flags)
	if err != nil {
		return err
	}
	defer a.Close()
	b, err := openBundle(a.Importer, pos[0], a.Config.Import.MaxUploadBytes)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := a.Importer.ImportBundle(ctx, b, flags.options())
	return finishImport(ctx, env, a, res, err, importOutcome{lang: lang, verbose: *flags.verbose, start: start, summary: true})
}

// openImportApp opens the app an import runs in and resolves the report
// language of the import flags against its configuration.
func openImportApp(ctx context.Context, env *cliEnv, flags importFlags) (*app.App, importer.Lang, error) {
	a, err := env.openApp(ctx)
	if err != nil {
		return nil, "", err
	}
	lang, err := flags.language(a.Config)
	if err != nil {
		a.Close()
		return nil, "", err
	}
	return a, lang, nil
}

// importOutcome says how finishImport reports an import's result.
type importOutcome struct {
	lang    importer.Lang
	verbose bool
	start   time.Time
	// summary prints the import summary when the import ran to its end.
	summary bool
}

// finishImport prints the file reports (and, when asked, the summary) and
// the elapsed time of an import, announces a committed import to the admins
// and turns a rejected import into the command's error.
func finishImport(ctx context.Context, env *cliEnv, a *app.App, res importer.Result, err error, o importOutcome) error {
	for _, rep := range res.Files {
		printReport(env.stdout, rep, o.lang, o.verbose)
	}
	if o.summary && (err == nil || errors.Is(err, importer.ErrRejected)) {
		fmt.Fprintln(env.stdout, res.Summary.Text(o.lang))
	}
	fmt.Fprintf(env.stdout, "(%s)\n", time.Since(o.start).Round(time.Millisecond))
	if err := announce(ctx, a, res); err != nil {
		return err
	}
	return rejection(err, res.Files)
}

// announce sends the summary of a committed import to the admins, once.
func announce(ctx context.Context, a *app.App, res importer.Result) error {
	if !res.Written {
		return nil
	}
	id := strconv.FormatInt(res.Summary.At.UnixNano(), 36)
	if err := a.Flows.AnnounceImport(ctx, id, res.Summary.Text(importer.LangZH)); err != nil {
		return fmt.Errorf("import committed; telling the admins failed: %w", err)
	}
	return nil
}

// openBundle opens a bundle directory, or a .zip of one as the admin page would.
func openBundle(im *importer.Importer, path string, maxBytes int64) (*importer.Bundle, error) {
	if !strings.EqualFold(filepath.Ext(path), ".zip") {
		return im.OpenBundleDir(path)
	}
	lim := importer.DefaultUploadLimits()
	lim.MaxBytes = max(lim.MaxBytes, maxBytes)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return im.OpenUpload(filepath.Base(path), data, "", nil, lim)
}

// rejection turns ErrRejected into the CLI's one-line error.
func rejection(err error, reps []importer.Report) error {
	if !errors.Is(err, importer.ErrRejected) {
		return err
	}
	var headerFiles []string
	bad := 0
	for _, r := range reps {
		if len(r.Header) > 0 {
			headerFiles = append(headerFiles, r.File)
		}
		bad += r.BadRows
	}
	if len(headerFiles) > 0 {
		return fmt.Errorf("file or header problems in %s; nothing imported (fix the file or its mapping)", strings.Join(headerFiles, ", "))
	}
	return fmt.Errorf("%d bad rows; nothing imported (fix them, or use -partial to import only the good rows)", bad)
}

func importUsage(env *cliEnv, fs *flag.FlagSet) func() {
	return func() {
		fmt.Fprintf(env.stderr, "usage: visitbot %s\n\nkinds (import in this order):\n", importSynopsis)
		for _, k := range importer.Kinds() {
			fmt.Fprintf(env.stderr, "  %-16s %s\n", k, importer.KindSummary(k))
		}
		fmt.Fprintln(env.stderr, "\nsignal kinds (signals.kind; map your labels under values.kind):")
		for _, line := range strings.Split(importer.BuiltinKindsHelp(), "\n") {
			fmt.Fprintln(env.stderr, "  "+line)
		}
		if cfg, err := env.loadConfig(); err == nil {
			for _, k := range ruleKinds(cfg) {
				fmt.Fprintf(env.stderr, "  %s (%s) — %s\n", k.Name, k.Class, k.UsedBy)
			}
		}
		fmt.Fprintln(env.stderr, "\nflags:")
		fs.PrintDefaults()
	}
}

// ruleKinds are the configured rules' kinds that are not built in.
func ruleKinds(cfg config.Config) []importer.SignalKind {
	builtin := map[string]bool{}
	for _, k := range importer.BuiltinSignalKinds() {
		builtin[k.Name] = true
	}
	var rules []importer.RuleKind
	for _, r := range cfg.Ranking.Rules {
		if !builtin[r.When] {
			rules = append(rules, importer.RuleKind{Name: r.Name, When: r.When, Class: r.Class})
		}
	}
	return importer.RuleKinds(rules)
}

// printReport writes one file's report: grouped problems (every problem with -v).
func printReport(w io.Writer, rep importer.Report, lang importer.Lang, verbose bool) {
	for _, line := range rep.Lines(lang) {
		fmt.Fprintln(w, line)
	}
	if verbose {
		for _, e := range rep.Errors {
			fmt.Fprintln(w, "    "+e.Line(lang))
		}
	}
}

// runImportTemplate writes an empty file with the expected headers.
func runImportTemplate(env *cliEnv, args []string) error {
	fs := newFlags(env, "import template", "import template <kind> [-o file.xlsx|file.csv|-]")
	out := fs.String("o", "", "output file; .xlsx or .csv, - for CSV on stdout (default <kind>.xlsx)")
	pos, err := parsePositional(fs, args, 1, fmt.Errorf("need one kind: %s", strings.Join(importer.Kinds(), ", ")))
	if err != nil {
		return err
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

// parsePositional parses args as parseInterleaved does and wants exactly n
// positional arguments; otherwise it prints the usage and fails with need.
func parsePositional(fs *flag.FlagSet, args []string, n int, need error) ([]string, error) {
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != n {
		fs.Usage()
		return nil, need
	}
	return pos, nil
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
