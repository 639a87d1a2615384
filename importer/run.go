package importer

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"visitbot/models"
)

// Result is the outcome of one transaction: every file's report, in load
// order, and the summary for admins.
type Result struct {
	Files   []Report `json:"files"`
	Summary Summary  `json:"summary"`
	DryRun  bool     `json:"dry_run,omitempty"`
	// Written is true when the transaction committed.
	Written bool `json:"written"`
}

// Rejected reports whether any file had problems that kept the import from
// writing (see Report.Rejected).
func (r Result) Rejected() bool {
	for i := range r.Files {
		if r.Files[i].Rejected() {
			return true
		}
	}
	return false
}

// fileError is a problem reading a file (encoding, CSV syntax, a broken
// workbook): reported as a problem of that file, so a bundle's dry run still
// checks the other files.
type fileError struct{ err error }

func (e fileError) Error() string { return e.err.Error() }
func (e fileError) Unwrap() error { return e.err }

// run imports inputs in load order inside one transaction.
func (im *Importer) run(ctx context.Context, inputs []Input, opts Options) (Result, error) {
	for _, c := range opts.CreateMissing {
		if c != "products" {
			return Result{}, fmt.Errorf("create missing %q: only products can be created", c)
		}
	}
	inputs = slices.Clone(inputs)
	slices.SortStableFunc(inputs, func(a, b Input) int { return kindOrder(a.kind) - kindOrder(b.kind) })
	var res Result
	var batch *batchState
	err := im.store.Tx(ctx, func(ctx context.Context) error {
		// A retried transaction (MySQL deadlock) starts over, files re-opened.
		res = Result{DryRun: opts.DryRun}
		batch = &batchState{opts: opts, kinds: map[string]bool{}, refused: map[string]map[string]refusedAt{}, bundle: len(inputs) > 1}
		for _, in := range inputs {
			batch.kinds[in.kind] = true
			if in.kind == "users" {
				batch.usersLeft++
			}
		}
		if opts.Guard != nil {
			if err := opts.Guard(ctx, im.store); err != nil {
				return err
			}
		}
		reject := false
		for _, in := range inputs {
			batch.fileIndex = len(res.Files)
			rep, strict, err := im.runInput(ctx, im.store, in, batch)
			res.Files = append(res.Files, rep)
			if err != nil {
				return err
			}
			if in.kind == "users" {
				if batch.usersLeft--; batch.usersLeft == 0 && len(batch.deferred) > 0 {
					if err := linkDeferred(ctx, im.store, batch, res.Files); err != nil {
						return err
					}
					for _, f := range res.Files {
						reject = reject || (f.Kind == "users" && f.ErrorCount > 0 && !opts.Partial)
					}
				}
			}
			if len(rep.Header) > 0 || (rep.ErrorCount > 0 && (!opts.Partial || strict)) {
				reject = true
			}
		}
		switch {
		case reject:
			return ErrRejected
		case opts.DryRun:
			return errDryRun
		case opts.BeforeCommit != nil:
			return opts.BeforeCommit(ctx, res.Files)
		}
		return nil
	})
	for i := range res.Files {
		f := &res.Files[i]
		f.DryRun = opts.DryRun
		if err == nil && opts.Partial {
			f.Skipped = f.BadRows
		}
		f.Written = err == nil
	}
	res.Written = err == nil
	switch {
	case errors.Is(err, ErrRejected):
		res.Summary = im.summarize(res, nil)
		return res, ErrRejected
	case errors.Is(err, errDryRun):
		res.Summary = im.summarize(res, &batch.span)
		return res, nil
	case err != nil:
		return res, fmt.Errorf("import: %w", err)
	}
	res.Summary = im.summarize(res, &batch.span)
	for _, f := range res.Files {
		im.cfg.Log.Info("import", "kind", f.Kind, "file", f.File, "rows", f.Rows, "created", f.Created,
			"updated", f.Updated, "unchanged", f.Unchanged, "skipped", f.Skipped)
	}
	if len(batch.created) > 0 && im.cfg.OnSignals != nil {
		im.cfg.OnSignals(ctx, batch.created)
	}
	return res, nil
}

// runInput reads one input inside tx. strict is set when its problems reject
// it even with Partial (unknown JSON keys).
func (im *Importer) runInput(ctx context.Context, tx *models.Store, in Input, batch *batchState) (Report, bool, error) {
	k, err := lookupKind(in.kind)
	if err != nil {
		return Report{Kind: in.kind, File: in.name}, false, err
	}
	rep := Report{Kind: k.name(), File: in.name}
	st, err := in.open()
	if err != nil {
		return fileProblem(rep, err), false, nil
	}
	defer st.close()
	rep.Ignored = st.hdr.ignored
	if len(st.hdr.problems) > 0 {
		for _, p := range st.hdr.problems {
			p.File = in.name
			rep.Header = append(rep.Header, p)
		}
		return rep, false, nil
	}
	m := in.mapping
	if m == nil {
		m = batch.opts.Mapping
	}
	env := &runEnv{im: im, hdr: st.hdr, mapping: m, loc: im.cfg.Location, kinds: im.kinds, rep: &rep, batch: batch,
		cache: map[string]map[string]uint{}}
	for _, e := range st.itemErrs {
		rep.addRow([]RowError{e})
	}
	err = k.run(ctx, tx, env, st)
	rep.Rows = env.rows
	var fe fileError
	if errors.As(err, &fe) {
		return fileProblem(rep, fe.err), false, nil
	}
	return rep, len(st.itemErrs) > 0, err
}

// fileProblem reports a file that could not be read as a problem of the
// file as a whole.
func fileProblem(rep Report, err error) Report {
	p := newRowError(0, "", "", "", keyUnreadable, err.Error())
	p.File = rep.File
	rep.Header = append(rep.Header, p)
	return rep
}

// linkDeferred resolves the managers that users files named before the
// file listing them was read: every users file of the batch is now stored.
func linkDeferred(ctx context.Context, tx *models.Store, batch *batchState, files []Report) error {
	var refs, users []string
	for _, d := range batch.deferred {
		refs, users = append(refs, d.ref), append(users, d.userID)
	}
	stored, err := tx.Import.UserRefs(ctx, refs)
	if err != nil {
		return err
	}
	ids, err := tx.Import.UserIDs(ctx, users)
	if err != nil {
		return err
	}
	x := newUserIndex()
	x.addStored(stored, nil)
	n := nouns["manager"]
	for _, d := range batch.deferred {
		id := ids[models.NaturalKey(d.userID)]
		if id == 0 {
			continue // the row itself was refused
		}
		cs := x.find(d.ref, d.pin)
		fail := func(key string, args ...string) {
			files[d.file].addRow([]RowError{newRowError(d.row, d.column, "manager_id", d.ref, key, args...)})
		}
		switch {
		case len(cs) == 0:
			fail(keyUnknownRefBundle, n[0], n[1], n[2], n[3])
		case len(cs) > 1:
			en, zh := candidates(cs)
			fail(keyAmbiguousRef, en, zh)
		case models.NaturalKey(cs[0].userID) == models.NaturalKey(d.userID):
			fail(keySelfManager)
		case cs[0].role != models.RoleManager && cs[0].role != models.RoleAdmin:
			r := string(cs[0].role)
			fail(keyWrongRole, r, "manager", roleNames[r], roleNames["manager"])
		default:
			if err := tx.Import.SetUserManager(ctx, id, cs[0].id); err != nil {
				return err
			}
		}
	}
	batch.deferred = nil
	return nil
}
