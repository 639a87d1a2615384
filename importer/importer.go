// Package importer loads master data and signals into visitbot: from .xlsx
// and .csv files (`visitbot import`, bundles of a company's whole export,
// uploads of the admin page) and from JSON batches of the ingest API. All go
// through one code path: rows are read as a stream, validated per field
// with every problem reported (grouped, in Chinese or English), references
// resolved by the ids a company has, then upserted by natural key inside
// one transaction, so an input is all-or-nothing and importing the same data
// twice changes nothing.
package importer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"visitbot/clock"
	"visitbot/models"
)

// ErrRejected means the input had bad rows or a bad header and nothing was
// written (see Report). With Options.Partial the good rows are written instead.
var ErrRejected = errors.New("input has errors; nothing imported")

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// Options control one import.
type Options struct {
	// Partial writes the good rows of an input that also has bad ones (never
	// with header problems or unknown JSON keys).
	Partial bool
	// DryRun validates and counts inside a transaction that is rolled back,
	// so dependent kinds of a bundle are checked against its own rows.
	DryRun bool
	// Mapping relabels values (columns are mapped while reading a file).
	// Inputs opened with a mapping carry it already; this one is for inputs
	// without (kept for callers of the single-file API).
	Mapping *Mapping
	// CreateMissing lists kinds whose unknown references are created instead
	// of refused: "products" (flow and doctor_products rows name products a
	// company's export has no master file for). They are listed in the report.
	CreateMissing []string
	// Guard runs first inside the import's transaction; its error aborts the
	// import. The ingest API records the request's signature with it, so the
	// nonce and the rows commit together.
	Guard func(ctx context.Context, tx *models.Store) error
	// BeforeCommit runs last inside the transaction of an import that is
	// about to commit (never for a dry run or a rejected one) with every
	// file's report; its error rolls everything back. The admin page
	// records its audit row with the counts here, so rows and audit commit
	// together.
	BeforeCommit func(ctx context.Context, files []Report) error
}

// Config is what an Importer needs beyond the store.
type Config struct {
	// AllowDoctorLevelRx mirrors compliance.allow_doctor_level_rx.
	AllowDoctorLevelRx bool
	// Location is the business time zone for dates without a zone.
	Location *time.Location
	// SignalKinds are known signal kinds beyond the built-in ones: the
	// configured rules' kinds (RuleKinds(cfg.Ranking.Rules)).
	SignalKinds []SignalKind
	// OnSignals is called once after commit with the signals an import (a
	// file, a batch or a whole bundle) created, each with its OccurredAt, so
	// the real-time alert side can tell history from news
	// (alerts.realtime_max_age); nil = nobody listens. It runs on the
	// caller's goroutine and must not fail the import.
	OnSignals func(ctx context.Context, created []models.Signal)
	// KeepSignal, when set, says which created signals OnSignals needs (e.g.
	// only those within alerts.realtime_max_age), so a six-month history does
	// not sit in memory until the commit (about 200 bytes a signal); nil
	// keeps all. Without OnSignals none are kept.
	KeepSignal func(models.Signal) bool
	// Clock stamps summaries; nil = the store's clock.
	Clock clock.Clock
	Log   *slog.Logger
}

// Importer validates and writes imports. It is safe for concurrent use.
type Importer struct {
	store *models.Store
	cfg   Config
	kinds *kindCatalog
}

// New returns an Importer writing to store.
func New(store *models.Store, cfg Config) *Importer {
	if cfg.Location == nil {
		cfg.Location = store.Location()
	}
	if cfg.Clock == nil {
		cfg.Clock = store.Clock()
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Importer{store: store, cfg: cfg, kinds: newKindCatalog(cfg.SignalKinds)}
}

// SignalKinds lists the signal kinds this importer accepts (built-in and
// configured), for `import -h`, templates and the admin page.
func (im *Importer) SignalKinds() []SignalKind { return append([]SignalKind(nil), im.kinds.list...) }

// LoadMapping reads a mapping file, checking values.kind against this
// importer's signal kinds.
func (im *Importer) LoadMapping(path, kind string) (*Mapping, error) {
	return loadMapping(path, kind, im.kinds)
}

// Import validates in and writes it in one transaction. On bad rows or a
// bad header it returns the report and ErrRejected (nothing written) unless
// opts.Partial (good rows written; header problems still reject).
func (im *Importer) Import(ctx context.Context, kind string, in Input, opts Options) (Report, error) {
	k, err := lookupKind(kind)
	if err != nil {
		return Report{Kind: kind}, err
	}
	if in.open == nil {
		return Report{Kind: k.name()}, errors.New("import: empty input")
	}
	if in.kind != k.name() {
		return Report{Kind: k.name()}, fmt.Errorf("input was opened as %s, not %s", in.kind, k.name())
	}
	res, err := im.run(ctx, []Input{in}, opts)
	rep := Report{Kind: k.name(), File: in.name}
	if len(res.Files) == 1 {
		rep = res.Files[0]
	}
	return rep, err
}

// ImportFiles loads inputs (any kinds) in dependency order in one
// transaction, like a bundle, and returns every file's report and the summary.
func (im *Importer) ImportFiles(ctx context.Context, inputs []Input, opts Options) (Result, error) {
	return im.run(ctx, inputs, opts)
}

// runEnv is the state of one input's run, shared by the kind's steps.
type runEnv struct {
	im      *Importer
	hdr     *header
	mapping *Mapping
	loc     *time.Location
	kinds   *kindCatalog
	// rows counts data rows (written by the reading goroutine only).
	rows int
	// rep collects problems and counts (written by the writing goroutine).
	rep   *Report
	batch *batchState
	cache map[string]map[string]uint // referenced kind → natural key → id (0 = missing)
}

// batchState is shared by the inputs of one transaction (a bundle).
type batchState struct {
	opts    Options
	kinds   map[string]bool                 // kinds in the batch
	refused map[string]map[string]refusedAt // kind → natural key → where
	created []models.Signal
	span    SignalSpan
	bundle  bool
	// usersLeft counts the users inputs not yet run; managers named in one
	// users file and listed in a later one are linked after the last.
	usersLeft int
	deferred  []deferredManager
	fileIndex int // the input being run, as an index of Result.Files
}

// deferredManager is a manager reference left for a later users file.
type deferredManager struct {
	file             int
	row              int
	column           string
	userID, ref, pin string
}

type refusedAt struct {
	file string
	row  int
}

// refused records that the row of kind with key (an external id) was bad,
// so rows pointing at it say so instead of "unknown".
func (e *runEnv) refused(kind, key string, row int) {
	if key == "" {
		return
	}
	m := e.batch.refused[kind]
	if m == nil {
		m = map[string]refusedAt{}
		e.batch.refused[kind] = m
	}
	if _, ok := m[models.NaturalKey(key)]; !ok {
		m[models.NaturalKey(key)] = refusedAt{file: e.rep.File, row: row}
	}
}

func (e *runEnv) createMissing(kind string) bool {
	for _, k := range e.batch.opts.CreateMissing {
		if k == kind {
			return true
		}
	}
	return false
}
