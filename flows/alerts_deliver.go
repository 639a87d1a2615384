package flows

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"visitbot/alerts"
	"visitbot/bot"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/models"
	"visitbot/outbox"
)

const (
	taskKindAlert = "alert"
	purposeAlert  = "alert"
	// routeByIDMax is the most doctors whose reps are loaded by id; above
	// it every assignment is loaded.
	routeByIDMax = 500
)

// alertCardData is stored in CardTask.Data: the alerts one card carries.
type alertCardData struct {
	Alerts []uint `json:"alerts"`
}

// alertRouter says who gets an alert: the manager of the rep concerned
// (users.manager_id), or every admin when that manager is unknown.
type alertRouter struct {
	users  map[uint]*models.User
	admins []*models.User
	// repsOf lists each doctor's active reps, lowest id first.
	repsOf map[uint][]uint
	// siteRep is the first rep covering a hospital × department.
	siteRep map[alerts.SiteKey]uint
}

func (f *Flows) newAlertRouter(ctx context.Context, docRows []models.AlertDoctor) (*alertRouter, error) {
	users, err := f.d.Users.Users(ctx, "")
	if err != nil {
		return nil, err
	}
	r := &alertRouter{users: map[uint]*models.User{}, siteRep: map[alerts.SiteKey]uint{}}
	for i := range users {
		u := &users[i]
		r.users[u.ID] = u
		if u.Role == models.RoleAdmin && u.Active {
			r.admins = append(r.admins, u)
		}
	}
	// A few doctors (real time): filter by id. Many (the daily scan loads
	// every doctor): one unfiltered query, far cheaper than thousands of
	// bound ids (the pure-Go SQLite driver binds in O(variables²)).
	var ids []uint
	if len(docRows) <= routeByIDMax {
		ids = make([]uint, len(docRows))
		for i, d := range docRows {
			ids[i] = d.ID
		}
	}
	if r.repsOf, err = f.d.Alerts.RepsOfDoctors(ctx, ids); err != nil {
		return nil, err
	}
	for _, d := range docRows {
		k := alerts.SiteKey{HospitalID: d.HospitalID, Department: d.Department}
		if reps := r.repsOf[d.ID]; len(reps) > 0 && (r.siteRep[k] == 0 || reps[0] < r.siteRep[k]) {
			r.siteRep[k] = reps[0]
		}
	}
	return r, nil
}

// repFor is the rep an alert concerns (0 = none).
func (r *alertRouter) repFor(c alerts.Candidate) uint {
	switch {
	case c.RepID != 0:
		return c.RepID
	case c.DoctorID != 0:
		if reps := r.repsOf[c.DoctorID]; len(reps) > 0 {
			return reps[0]
		}
	case c.HospitalID != 0:
		return r.siteRep[alerts.SiteKey{HospitalID: c.HospitalID, Department: c.Department}]
	}
	return 0
}

// managerOf is the active manager (or admin) above rep, nil when unknown.
func (r *alertRouter) managerOf(repID uint) *models.User {
	rep := r.users[repID]
	if rep == nil || rep.ManagerID == nil {
		return nil
	}
	m := r.users[*rep.ManagerID]
	if m == nil || !m.Active || m.Role == models.RoleRep {
		return nil
	}
	return m
}

// raiseAlerts stores the new alerts (cooldown applied), reopens the due
// snoozed ones, and queues one card per recipient and merge window, all in
// one transaction: an alert row exists exactly when its card is queued.
func (f *Flows) raiseAlerts(ctx context.Context, res *AlertResult, cands []alerts.Candidate, resurface []models.Alert, docRows []models.AlertDoctor) error {
	for _, c := range cands {
		res.Detected[c.Kind]++
	}
	if len(cands) == 0 && len(resurface) == 0 {
		return nil
	}
	cfg := f.d.Config.Alerts
	quiet, err := alerts.ParseQuiet(cfg.QuietStart, cfg.QuietEnd)
	if err != nil {
		return err
	}
	router, err := f.newAlertRouter(ctx, docRows)
	if err != nil {
		return err
	}
	now := f.d.Clock.Now()
	// Loudest first, so a merged card leads with its most urgent alert
	// (alert ids, and so card order, follow creation order).
	cands = slices.Clone(cands)
	slices.SortStableFunc(cands, func(a, b alerts.Candidate) int { return cmp.Compare(b.Severity, a.Severity) })
	// The cooldown is checked before the transaction: its reads would
	// otherwise come before its first write, and SQLite cannot upgrade such a
	// transaction to a writer once another one committed (SQLITE_BUSY_SNAPSHOT).
	// A concurrent alert is caught inside by raceKey.
	fresh, err := f.freshCandidates(ctx, cands, resurface, now)
	if err != nil {
		return err
	}
	return f.d.DB.Tx(ctx, func(ctx context.Context) error {
		byRecipient := map[uint][]models.Alert{}
		var order []uint
		add := func(a models.Alert) {
			var to []*models.User
			if a.ManagerID != nil {
				to = []*models.User{router.users[*a.ManagerID]}
			} else {
				to = router.admins
				res.Escalated++
				if len(to) == 0 {
					f.d.Log.Warn("alert without a manager and no active admin to escalate to", "kind", a.Kind, "subject", a.SubjectKey)
				}
			}
			for _, u := range to {
				if u == nil {
					continue
				}
				if _, ok := byRecipient[u.ID]; !ok {
					order = append(order, u.ID)
				}
				byRecipient[u.ID] = append(byRecipient[u.ID], a)
			}
		}
		for _, c := range fresh {
			// The cooldown check does not see an uncommitted alert of a
			// concurrent transaction (another replica's import hook): a unique
			// key per kind, subject and cooldown window, committed with the
			// alert, settles it. It is also the transaction's first write.
			if err := f.d.Inbox.RecordDelivery(ctx, "alerts", raceKey(c, now, cfg.Cooldown), "alert"); errors.Is(err, models.ErrConflict) {
				continue
			} else if err != nil {
				return fmt.Errorf("alert race key: %w", err)
			}
			a := models.Alert{Kind: c.Kind, SubjectKey: c.SubjectKey, Title: clipBytes(c.Title, 128),
				Emphasis: clipBytes(c.EmphasisTitle+"|"+c.EmphasisDesc, 32), Status: models.AlertOpen}
			reasons, err := json.Marshal(c.Reasons)
			if err != nil {
				return err
			}
			a.Reasons = string(reasons)
			if c.DoctorID != 0 {
				id := c.DoctorID
				a.DoctorID = &id
			}
			if rep := router.repFor(c); rep != 0 {
				a.RepID = &rep
				if m := router.managerOf(rep); m != nil {
					a.ManagerID = &m.ID
				}
			}
			if err := f.d.Alerts.CreateAlert(ctx, &a); err != nil {
				return err
			}
			res.Created[c.Kind]++
			add(a)
		}
		if len(resurface) > 0 {
			ids := make([]uint, len(resurface))
			for i, a := range resurface {
				ids[i] = a.ID
			}
			if err := f.d.Alerts.SetAlertStatus(ctx, ids, models.AlertOpen, nil, nil); err != nil {
				return err
			}
			for _, a := range resurface {
				a.Status = models.AlertOpen
				res.Resurfaced++
				add(a)
			}
		}
		for _, uid := range order {
			if err := f.deliverAlerts(ctx, res, router.users[uid], byRecipient[uid], quiet); err != nil {
				return fmt.Errorf("alert card for %s: %w", router.users[uid].UserID, err)
			}
		}
		return nil
	})
}

// deliverAlerts queues one card with the alerts for u. Alerts due in the
// same merge window as a card still waiting in the outbox join that card
// (its payload is rewritten, the count grows); during quiet hours the card
// waits for quiet_end, so a night's alerts arrive as one morning card.
func (f *Flows) deliverAlerts(ctx context.Context, res *AlertResult, u *models.User, list []models.Alert, quiet alerts.Quiet) error {
	platform, to, ok := f.d.Platforms.RecipientFor(u)
	if !ok {
		res.NoPlatform++
		f.d.Log.Warn("alert recipient unreachable", "user", u.UserID, "reason", f.d.Platforms.Unreachable(u), "alerts", len(list))
		return nil
	}
	loc := f.d.Config.Location
	now := f.d.Clock.Now()
	release := quiet.Release(now, loc)
	bucket := alerts.Bucket(release, f.d.Config.Alerts.MergeWindow).In(loc)
	env := outbox.Envelope{Platform: platform, To: to, Purpose: purposeAlert + ":" + bucket.Format("1504"), Day: clock.Day(bucket, loc)}
	if release.After(now) {
		env.NotBefore = release
	}
	taskID := fmt.Sprintf("al-%s-%d", bucket.Format("200601021504"), u.ID)
	ids := make([]uint, len(list))
	for i, a := range list {
		ids[i] = a.ID
	}

	existing, err := f.d.Cards.CardTaskByTaskID(ctx, taskID)
	switch {
	case errors.Is(err, models.ErrNotFound):
	case err != nil:
		return err
	default:
		merged, err := f.mergeIntoPending(ctx, existing, env, u, ids)
		if err != nil || merged {
			if merged {
				res.Merged += len(ids)
			}
			return err
		}
		// The earlier card of this window is on its way: send another one.
		taskID = fmt.Sprintf("%s-%d", taskID, ids[0])
		env.Purpose = fmt.Sprintf("%s:%s:%d", purposeAlert, bucket.Format("1504"), ids[0])
	}
	card, err := f.alertCard(ctx, taskID, botUser(u), ids, "")
	if err != nil {
		return err
	}
	row, err := outbox.NewMessage(env, bot.Message{Card: &card})
	if err != nil {
		return err
	}
	if err := f.d.Outbox.Enqueue(ctx, row); err != nil {
		return err
	}
	if row.ID == 0 {
		return nil // queued before (same recipient, window and first alert)
	}
	body, _ := json.Marshal(card)
	data, _ := json.Marshal(alertCardData{Alerts: ids})
	res.Cards++
	return f.d.Cards.SaveCardTask(ctx, &models.CardTask{TaskID: taskID, Platform: string(platform), UserID: u.ID, Kind: taskKindAlert,
		RefID: ids[0], Day: env.Day, Card: string(body), Data: string(data)})
}

// mergeIntoPending adds ids to the card of task if its message has not been
// claimed by a dispatcher yet; merged=false means it is too late.
func (f *Flows) mergeIntoPending(ctx context.Context, task *models.CardTask, env outbox.Envelope, u *models.User, ids []uint) (bool, error) {
	if task.State != "" {
		return false, nil
	}
	pending, err := f.d.Alerts.PendingOutbox(ctx, env.DedupeKey())
	if errors.Is(err, models.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var data alertCardData
	if err := json.Unmarshal([]byte(task.Data), &data); err != nil {
		return false, fmt.Errorf("card task %s data: %w", task.TaskID, err)
	}
	all := append(data.Alerts, ids...)
	card, err := f.alertCard(ctx, task.TaskID, botUser(u), all, "")
	if err != nil {
		return false, err
	}
	row, err := outbox.NewMessage(env, bot.Message{Card: &card})
	if err != nil {
		return false, err
	}
	ok, err := f.d.Alerts.RewritePendingOutbox(ctx, pending.ID, row.Payload)
	if err != nil || !ok {
		return false, err
	}
	body, _ := json.Marshal(card)
	newData, _ := json.Marshal(alertCardData{Alerts: all})
	return true, f.d.Alerts.SetCardTaskData(ctx, task.TaskID, string(body), string(newData))
}

// alertCard renders the card of the alerts ids for recipient u; replace
// freezes it after an action.
func (f *Flows) alertCard(ctx context.Context, taskID string, u bot.User, ids []uint, replace string) (cards.Card, error) {
	list, err := f.d.Alerts.AlertsByIDs(ctx, ids)
	if err != nil {
		return cards.Card{}, err
	}
	in := cards.AlertCardInput{TaskID: taskID, ReplaceText: replace}
	repSet := map[uint]bool{}
	for _, a := range list {
		title, subject, found := strings.Cut(a.Title, "：")
		if !found {
			subject = title
		}
		emTitle, emDesc, _ := strings.Cut(a.Emphasis, "|")
		var reasons []string
		if err := json.Unmarshal([]byte(a.Reasons), &reasons); err != nil && a.Reasons != "" {
			f.d.Log.Error("alert card: stored reasons unreadable", "alert", a.ID, "err", err)
			reasons = []string{MsgReasonsUnreadable}
		}
		in.Items = append(in.Items, cards.AlertItem{Label: alerts.KindLabel(a.Kind), Subject: subject, EmphasisTitle: emTitle,
			EmphasisDesc: emDesc, Reasons: reasons, Assignable: a.DoctorID != nil})
		if a.ManagerID == nil {
			in.Escalated = true
		}
		if a.RepID != nil {
			if in.SelectedRep == "" {
				in.SelectedRep = strconv.FormatUint(uint64(*a.RepID), 10)
			}
			repSet[*a.RepID] = true
		}
	}
	reps, err := f.assignableReps(ctx, u, repSet)
	if err != nil {
		return cards.Card{}, err
	}
	for _, r := range reps {
		in.Reps = append(in.Reps, cards.Option{ID: strconv.FormatUint(uint64(r.ID), 10), Text: r.Name})
	}
	card := cards.AlertCard(in)
	if _, err := cards.RenderWeCom(card); err != nil {
		return cards.Card{}, err
	}
	return card, nil
}

// assignableReps are the reps u may assign an alert to: a manager's team;
// for an admin handling an escalated alert, the reps the alerts concern.
func (f *Flows) assignableReps(ctx context.Context, u bot.User, alertReps map[uint]bool) ([]models.User, error) {
	team, err := f.d.Users.TeamOf(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if u.Role != bot.RoleAdmin {
		return team, nil
	}
	for id := range alertReps {
		r, err := f.d.Users.UserByID(ctx, id)
		if errors.Is(err, models.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if r.Active && r.Role == models.RoleRep && !containsUser(team, r.ID) {
			team = append(team, *r)
		}
	}
	return team, nil
}

func containsUser(us []models.User, id uint) bool {
	for _, u := range us {
		if u.ID == id {
			return true
		}
	}
	return false
}

// clipBytes cuts s to at most n bytes on a rune boundary (column sizes).
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// freshCandidates drops the candidates inside their cooldown (events
// raised before), and those whose subject has a snoozed alert (it comes back
// by itself at its 一周后提醒).
func (f *Flows) freshCandidates(ctx context.Context, cands []alerts.Candidate, resurface []models.Alert, now time.Time) ([]alerts.Candidate, error) {
	back := map[[2]string]bool{}
	for _, a := range resurface {
		back[[2]string{a.Kind, a.SubjectKey}] = true
	}
	var out []alerts.Candidate
	for _, c := range cands {
		if back[[2]string{c.Kind, c.SubjectKey}] {
			continue
		}
		last, err := f.d.Alerts.LastAlert(ctx, c.Kind, c.SubjectKey)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		if last != nil && last.Status == models.AlertSnoozed && last.SnoozeUntil != nil && last.SnoozeUntil.After(now) {
			continue
		}
		lastAt := now
		if last != nil {
			lastAt = last.CreatedAt
		}
		if !alerts.Suppressed(c, lastAt, last != nil, now, f.d.Config.Alerts.Cooldown) {
			out = append(out, c)
		}
	}
	return out, nil
}

// raceKey is the unique key that keeps two concurrent transactions from
// raising the same alert: per event, or per kind, subject and cooldown
// window. A later alert allowed by the cooldown always falls in a later window.
func raceKey(c alerts.Candidate, now time.Time, cooldown time.Duration) string {
	if c.Once {
		return c.Kind + ":" + c.SubjectKey
	}
	return fmt.Sprintf("%s:%s:%d", c.Kind, c.SubjectKey, now.Unix()/int64(cooldown/time.Second))
}
