// Package importer loads master data and signals into visitbot: from .xlsx
// and .csv files (`visitbot import`) and from JSON batches of the ingest API.
// Both go through one code path: rows of field → text, validated per field
// with every bad value reported, references resolved, then upserted by
// natural key in one transaction, so a file is all-or-nothing and importing
// the same data twice changes nothing.
package importer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"visitbot/models"
)

// ErrRejected means the input had bad rows and nothing was written (see
// Report.Errors). With Options.Partial the good rows are written instead.
var ErrRejected = errors.New("input has errors; nothing imported")

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// Row is one record to import: visitbot field → raw text, and the row number
// to report (spreadsheet row with the header as row 1, or an item index).
type Row struct {
	Num    int
	Values map[string]string
}

// Input is a decoded file or request: its rows, the source's label of each
// field (the column header, or the JSON key), and source columns that map to
// no field.
type Input struct {
	Columns map[string]string
	Rows    []Row
	Ignored []string
	// Errors are problems with the input as a whole (e.g. a missing required
	// column): nothing is validated further.
	Errors []RowError
	// itemErrs are problems of single items found while decoding (unknown
	// JSON keys); they are reported with the value errors and reject the input.
	itemErrs []RowError
}

// Options control one import.
type Options struct {
	// Partial writes the good rows of an input that also has bad ones.
	Partial bool
	// DryRun validates and counts inside a transaction that is rolled back.
	DryRun bool
	// Mapping relabels values (columns are mapped while reading a file).
	Mapping *Mapping
	// Guard runs first inside the import's transaction; its error aborts the
	// import. The ingest API records the request's signature with it, so the
	// nonce and the rows commit together.
	Guard func(ctx context.Context, tx *models.Store) error
}

// Report is the outcome of one import.
type Report struct {
	Kind string `json:"kind"`
	// Rows is the number of data rows read; Skipped the bad ones left out with Partial.
	Rows    int `json:"rows"`
	Skipped int `json:"skipped,omitempty"`
	models.UpsertCounts
	Errors  []RowError `json:"errors,omitempty"`
	Ignored []string   `json:"ignored_columns,omitempty"`
	DryRun  bool       `json:"dry_run,omitempty"`
	// Written is true when the transaction committed.
	Written bool `json:"written"`
}

// Config is what an Importer needs beyond the store.
type Config struct {
	// AllowDoctorLevelRx mirrors compliance.allow_doctor_level_rx.
	AllowDoctorLevelRx bool
	// Location is the business time zone for dates without a zone.
	Location *time.Location
	// OnSignals is called after commit with the signals an import created, so
	// real-time alert detectors see them; nil = nobody listens. It runs on the
	// caller's goroutine and must not fail the import.
	OnSignals func(ctx context.Context, created []models.Signal)
	Log       *slog.Logger
}

// Importer validates and writes imports. It is safe for concurrent use.
type Importer struct {
	store *models.Store
	cfg   Config
}

// New returns an Importer writing to store.
func New(store *models.Store, cfg Config) *Importer {
	if cfg.Location == nil {
		cfg.Location = store.Location()
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Importer{store: store, cfg: cfg}
}

// runEnv is the state of one import run shared by the kind's steps.
type runEnv struct {
	im      *Importer
	columns map[string]string
	mapping *Mapping
	loc     *time.Location
	// created collects new signals for OnSignals.
	created []models.Signal
}

func (e *runEnv) column(field string) string {
	if c, ok := e.columns[field]; ok {
		return c
	}
	return field
}

// Import validates in and writes it as kind. On bad rows it returns the report
// and ErrRejected (nothing written) unless opts.Partial.
func (im *Importer) Import(ctx context.Context, kind string, in Input, opts Options) (Report, error) {
	k, err := lookupKind(kind)
	if err != nil {
		return Report{Kind: kind}, err
	}
	rep := Report{Kind: k.name(), Rows: len(in.Rows), Ignored: in.Ignored, DryRun: opts.DryRun}
	if len(in.Errors) > 0 {
		rep.Errors = in.Errors
		return rep, ErrRejected
	}
	env := &runEnv{im: im, columns: in.Columns, mapping: opts.Mapping, loc: im.cfg.Location}
	// Rows are validated before the transaction, so a write lock (SQLite has
	// one writer) is held only for reference lookups and writes.
	batch := k.parse(env, in.Rows)
	var counts models.UpsertCounts
	var rowErrs []RowError
	err = im.store.Tx(ctx, func(ctx context.Context) error {
		if opts.Guard != nil {
			if err := opts.Guard(ctx, im.store); err != nil {
				return err
			}
		}
		var err error
		partial := opts.Partial && len(in.itemErrs) == 0
		counts, rowErrs, err = batch.apply(ctx, im.store, partial)
		if err != nil {
			return err
		}
		if len(in.itemErrs) > 0 {
			rowErrs = append(append([]RowError(nil), in.itemErrs...), rowErrs...)
			sort.SliceStable(rowErrs, func(i, j int) bool { return rowErrs[i].Row < rowErrs[j].Row })
		}
		if len(rowErrs) > 0 && !partial {
			return ErrRejected
		}
		if opts.DryRun {
			return errDryRun
		}
		return nil
	})
	rep.Errors = rowErrs
	rep.Skipped = badRows(rowErrs)
	switch {
	case errors.Is(err, ErrRejected):
		rep.Skipped = 0
		return rep, ErrRejected
	case errors.Is(err, errDryRun):
		rep.UpsertCounts = counts
		return rep, nil
	case err != nil:
		return rep, fmt.Errorf("import %s: %w", k.name(), err)
	}
	rep.UpsertCounts = counts
	rep.Written = true
	if len(env.created) > 0 && im.cfg.OnSignals != nil {
		im.cfg.OnSignals(ctx, env.created)
	}
	im.cfg.Log.Info("import", "kind", k.name(), "rows", rep.Rows, "created", counts.Created,
		"updated", counts.Updated, "unchanged", counts.Unchanged, "skipped", rep.Skipped)
	return rep, nil
}

func badRows(errs []RowError) int {
	rows := map[int]bool{}
	for _, e := range errs {
		rows[e.Row] = true
	}
	return len(rows)
}
