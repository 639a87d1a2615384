package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/models"
	"visitbot/outbox"
)

// Morning-push texts.
const (
	MsgNoRecommendation = "今日无推荐：您负责的医生今天都没有门诊或处于拜访冷却期。可发送「帮助」查看其他功能。"
	purposeMorningPush  = "morning_push"
)

// PushResult summarises one morning push.
type PushResult struct {
	Day        string
	Reps       int
	Cards      int
	NoList     int
	Queued     int
	Already    int
	NoPlatform []string
	// Failed lists the reps whose card could not be queued; the push went
	// on with the others.
	Failed []PushFailure
}

// PushFailure is one rep the morning push could not queue a message for.
type PushFailure struct {
	UserID string
	Err    string
}

func (r PushResult) String() string {
	s := fmt.Sprintf("day %s: %d reps, %d cards, %d \"no recommendation\" notes, %d newly queued, %d already queued, %d without a platform id",
		r.Day, r.Reps, r.Cards, r.NoList, r.Queued, r.Already, len(r.NoPlatform))
	if len(r.Failed) > 0 {
		parts := make([]string, len(r.Failed))
		for i, fl := range r.Failed {
			parts[i] = fl.UserID + ": " + fl.Err
		}
		s += fmt.Sprintf(", %d failed (%s)", len(r.Failed), strings.Join(parts, "; "))
	}
	return s
}

// pushBatchSize is how many reps' messages share one transaction: bounded,
// so a push of thousands of reps neither holds one huge transaction nor
// pays one commit per rep.
const pushBatchSize = 100

// PushTarget is one rep the morning push queues a message for, with the
// platform address that reaches them.
type PushTarget struct {
	Rep      *models.User
	Platform bot.Platform
	To       bot.Recipient
}

// PushOutcome is what PushRep queued for one rep.
type PushOutcome struct {
	// Queued is false when the day's message was queued by an earlier run.
	Queued bool
	// HasList is false for the "no recommendation" text.
	HasList bool
}

// MorningPush ranks every rep's day, renders the visit-list card and queues
// it in the outbox, one per rep and day: running it again (another replica,
// a manual `job run`, a restart mid-way) queues nothing twice. The day's
// plan items are loaded for all reps at once and queued pushBatchSize reps
// per transaction; a rep whose message cannot be queued is reported (job
// detail and one admin summary) and the push goes on with the others, then
// returns an error naming how many failed. Reps without a platform id are
// reported to the admins in one summary.
func (f *Flows) MorningPush(ctx context.Context, day string, only []string) (PushResult, error) {
	res, err := f.push(ctx, day, only)
	if err != nil {
		return res, err
	}
	return res, f.reportPush(ctx, res)
}

// PushShard is MorningPush for one shard of a sharded run: the same lists
// and cards, but the admins' summaries are left to the run's one report
// (ReportPush, once every shard is done) instead of one per shard, of which
// the admins would get the first only (one message per purpose and day).
// The reps it could not queue a message for still fail the shard.
func (f *Flows) PushShard(ctx context.Context, day string, only []string) (PushResult, error) {
	res, err := f.push(ctx, day, only)
	if err != nil {
		return res, err
	}
	return res, res.failure()
}

// failure is the push's error when some reps failed, else nil.
func (r PushResult) failure() error {
	if len(r.Failed) == 0 {
		return nil
	}
	return fmt.Errorf("morning push: %d of %d reps failed", len(r.Failed), r.Reps)
}

// push is MorningPush without the admins' summary.
func (f *Flows) push(ctx context.Context, day string, only []string) (PushResult, error) {
	res := PushResult{Day: day}
	if _, err := f.d.Recommend.TopNOf(ctx, day, only, false); err != nil {
		return res, fmt.Errorf("morning push: rank: %w", err)
	}
	reps, err := f.d.Users.UsersByUserIDs(ctx, models.RoleRep, only) // a shard's or named reps; nil: all
	if err != nil {
		return res, fmt.Errorf("morning push: %w", err)
	}
	targets, none := f.pushTargets(reps)
	res.Reps, res.NoPlatform = len(targets)+len(none), none
	ids := make([]uint, len(targets))
	for i, t := range targets {
		ids[i] = t.Rep.ID
	}
	items, err := f.d.Plans.PlanItemsOfDay(ctx, day, ids)
	if err != nil {
		return res, fmt.Errorf("morning push: %w", err)
	}
	for len(targets) > 0 {
		n := min(len(targets), pushBatchSize)
		f.pushBatch(ctx, day, targets[:n], items, &res)
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("morning push stopped after %d reps: %w", res.Queued+res.Already, err)
		}
		targets = targets[n:]
	}
	return res, nil
}

// pushTargets is the active reps among reps with the platform address that
// reaches each, and the user ids of the active ones without any.
func (f *Flows) pushTargets(reps []models.User) (targets []PushTarget, none []string) {
	for i := range reps {
		rep := &reps[i]
		if !rep.Active {
			continue
		}
		platform, to, ok := f.d.Platforms.RecipientFor(rep)
		if !ok {
			none = append(none, rep.UserID)
			continue
		}
		targets = append(targets, PushTarget{Rep: rep, Platform: platform, To: to})
	}
	return targets, none
}

// envelope is the address of the rep's one morning message of day.
func (t PushTarget) envelope(day string) outbox.Envelope {
	return outbox.Envelope{Platform: t.Platform, To: t.To, Purpose: purposeMorningPush, Day: day}
}

// pushBatch queues the messages of batch in one transaction; when it fails
// it retries rep by rep, so only the reps that fail are left out.
func (f *Flows) pushBatch(ctx context.Context, day string, batch []PushTarget, items map[uint][]models.PlanItem, res *PushResult) {
	var outs []PushOutcome
	var err error
	if len(batch) == 1 {
		err = f.d.DB.Tx(ctx, func(ctx context.Context) error {
			o, err := f.PushRep(ctx, batch[0], day, items[batch[0].Rep.ID])
			outs = []PushOutcome{o}
			return err
		})
	} else {
		outs, err = f.pushAll(ctx, day, batch, items)
	}
	switch {
	case err == nil:
		for _, o := range outs {
			res.count(o)
		}
	case len(batch) == 1 || ctx.Err() != nil:
		for _, t := range batch {
			f.d.Log.Error("morning push: rep failed", "day", day, "rep", t.Rep.UserID, "err", err)
			res.Failed = append(res.Failed, PushFailure{UserID: t.Rep.UserID, Err: err.Error()})
		}
	default:
		for i := range batch {
			f.pushBatch(ctx, day, batch[i:i+1], items, res)
		}
	}
}

func (r *PushResult) count(o PushOutcome) {
	if o.HasList {
		r.Cards++
	} else {
		r.NoList++
	}
	if o.Queued {
		r.Queued++
	} else {
		r.Already++
	}
}

// reportPush tells the admins about reps without a platform id and reps the
// push failed for (one text each per day), and turns failures into the
// job's error.
func (f *Flows) reportPush(ctx context.Context, res PushResult) error {
	names := make([]string, len(res.Failed))
	for i, fl := range res.Failed {
		names[i] = fl.UserID
	}
	return errors.Join(f.reportNoPlatform(ctx, res.Day, res.NoPlatform), f.reportFailed(ctx, res.Day, names), res.failure())
}

// reportFailed queues the summary of reps the push could not queue a
// message for, if any.
func (f *Flows) reportFailed(ctx context.Context, day string, reps []string) error {
	if len(reps) == 0 {
		return nil
	}
	return f.notifyAdmins(ctx, day, "push_failed", fmt.Sprintf("今日推送：%d位代表的名单未能生成：%s。其他代表已正常推送；问题排除后可发送「推送」重新推送，已收到的代表不会重复收到。",
		len(reps), nameList(reps, adminListBytes)))
}

// ReportPush sends the admins the day's summaries of a sharded push once
// its shards are done, from what the push left in the store: the active
// reps without a platform id, and those with one but no morning message
// queued for the day (the push failed them). One text each, however many
// shards; PushShard sends neither.
func (f *Flows) ReportPush(ctx context.Context, day string) error {
	reps, err := f.d.Users.Users(ctx, models.RoleRep)
	if err != nil {
		return fmt.Errorf("push report: %w", err)
	}
	targets, none := f.pushTargets(reps)
	keys := make([]string, len(targets))
	for i, t := range targets {
		keys[i] = t.envelope(day).DedupeKey()
	}
	queued, err := f.d.Outbox.Queued(ctx, keys)
	if err != nil {
		return fmt.Errorf("push report: %w", err)
	}
	var failed []string
	for i, t := range targets {
		if !queued[keys[i]] {
			failed = append(failed, t.Rep.UserID)
		}
	}
	return errors.Join(f.reportNoPlatform(ctx, day, none), f.reportFailed(ctx, day, failed))
}

// reportNoPlatform queues the summary of reps without a platform id, if any.
func (f *Flows) reportNoPlatform(ctx context.Context, day string, reps []string) error {
	if len(reps) == 0 {
		return nil
	}
	return f.notifyAdmins(ctx, day, "push_summary", fmt.Sprintf("今日推送：%d位代表没有企业微信/钉钉账号，未能收到名单：%s。请在用户数据中补充账号。",
		len(reps), nameList(reps, adminListBytes)))
}

// adminListBytes bounds the names in one admin text: WeCom takes a text
// message of at most 2,048 bytes, and the sentence around the names needs
// about 150.
const adminListBytes = 1800

// nameList joins names with "、" up to max bytes and ends a longer list
// with "等N位" (N the whole count), so a summary of a national push with
// hundreds of reps still fits one message.
func nameList(names []string, max int) string {
	var b strings.Builder
	for i, n := range names {
		sep := ""
		if i > 0 {
			sep = "、"
		}
		if b.Len()+len(sep)+len(n) > max {
			return fmt.Sprintf("%s等%d位", b.String(), len(names))
		}
		b.WriteString(sep)
		b.WriteString(n)
	}
	return b.String()
}

// pushAll queues the batch's cards in one transaction with a few
// multi-row statements (the morning push's 20,000 reps are 40,000 rows);
// a rep whose card cannot be rendered, or a card queued meanwhile by another
// process, fails the batch, which pushBatch then retries rep by rep.
func (f *Flows) pushAll(ctx context.Context, day string, batch []PushTarget, items map[uint][]models.PlanItem) ([]PushOutcome, error) {
	outs := make([]PushOutcome, len(batch))
	rows := make([]*models.OutboxMessage, len(batch))
	tasks := make([]*models.CardTask, len(batch))
	for i, t := range batch {
		var err error
		if outs[i], rows[i], tasks[i], err = f.repCard(t, day, items[t.Rep.ID]); err != nil {
			return nil, fmt.Errorf("%s: %w", t.Rep.UserID, err)
		}
	}
	err := f.d.DB.Tx(ctx, func(ctx context.Context) error {
		if err := f.d.Outbox.EnqueueAll(ctx, rows); err != nil {
			return err
		}
		var fresh []*models.CardTask
		for i, row := range rows {
			if outs[i].Queued = row.ID != 0; outs[i].Queued && tasks[i] != nil {
				fresh = append(fresh, tasks[i]) // already queued earlier: keep the first card and its task
			}
		}
		return f.d.Cards.SaveCardTasks(ctx, fresh)
	})
	return outs, err
}

// PushRep renders one rep's card (or the no-recommendation note) from the
// day's plan items and queues it with its card task, in the caller's
// transaction (ctx): the per-rep step of the morning push.
func (f *Flows) PushRep(ctx context.Context, t PushTarget, day string, items []models.PlanItem) (PushOutcome, error) {
	out, row, task, err := f.repCard(t, day, items)
	if err != nil {
		return out, err
	}
	if err := f.d.Outbox.Enqueue(ctx, row); err != nil {
		return out, err
	}
	if out.Queued = row.ID != 0; !out.Queued || task == nil {
		return out, nil // already queued earlier: keep the first card and its task
	}
	return out, f.d.Cards.SaveCardTask(ctx, task)
}

// repCard renders one rep's morning message: the visit-list card and its
// task, or the no-recommendation note (task nil) when items is empty.
func (f *Flows) repCard(t PushTarget, day string, items []models.PlanItem) (PushOutcome, *models.OutboxMessage, *models.CardTask, error) {
	env := t.envelope(day)
	var out PushOutcome
	var msg bot.Message
	var task *models.CardTask
	if len(items) == 0 {
		msg = bot.Message{Text: MsgNoRecommendation}
	} else {
		out.HasList = true
		card, err := f.visitListCard(t.Rep, day, NewTaskID("vl", day, t.Rep.ID), items, false)
		if err != nil {
			return out, nil, nil, err
		}
		body, err := json.Marshal(card)
		if err != nil {
			return out, nil, nil, fmt.Errorf("card task: %w", err)
		}
		task = &models.CardTask{TaskID: card.TaskID, Platform: string(t.Platform), UserID: t.Rep.ID, Kind: card.Kind, Day: day, Card: string(body)}
		msg = bot.Message{Card: &card}
	}
	row, err := outbox.NewMessage(env, msg)
	return out, row, task, err
}

// visitListCard renders the rep's current list (skipped doctors left out).
func (f *Flows) visitListCard(rep *models.User, day, taskID string, items []models.PlanItem, accepted bool) (cards.Card, error) {
	date, err := clock.ParseDay(day, f.d.Config.Location)
	if err != nil {
		return cards.Card{}, err
	}
	in := cards.VisitListInput{TaskID: taskID, Day: date, RepName: rep.Name, StartLat: rep.StartLat, StartLng: rep.StartLng, Accepted: accepted}
	n := 0
	for _, it := range items {
		if it.VisitStatus == models.VisitSkipped {
			continue
		}
		n++
		in.Items = append(in.Items, cards.VisitItem{
			Rank: n, DoctorID: it.DoctorID, DoctorName: it.DoctorName, Title: it.Title, Hospital: it.HospitalName, Department: it.Department,
			Heat: it.Heat, Period: it.Period, DistanceM: it.DistanceM, Reason: topReason(it.Reasons), Kind: it.Kind,
			Lat: it.HospitalLat, Lng: it.HospitalLng,
		})
	}
	sort.SliceStable(in.Items, func(i, j int) bool { return in.Items[i].Rank < in.Items[j].Rank })
	in.RouteKM, in.RouteMinutes = plannedRoute(items)
	return cards.VisitList(in), nil
}

// plannedRoute is the day's route km and minutes the planner stored in each
// recommendation's breakdown (0, 0 when none says).
func plannedRoute(items []models.PlanItem) (km, minutes float64) {
	for _, it := range items {
		var b map[string]float64
		if json.Unmarshal([]byte(it.Breakdown), &b) == nil && b["route_km"] > 0 {
			return b["route_km"], b["route_min"]
		}
	}
	return 0, 0
}

// topReason is the first stored reason phrase of a recommendation.
func topReason(reasonsJSON string) string {
	var rs []string
	if json.Unmarshal([]byte(reasonsJSON), &rs) != nil || len(rs) == 0 {
		return ""
	}
	return rs[0]
}

// notifyAdmins queues one text per admin for day and purpose (deduplicated).
func (f *Flows) notifyAdmins(ctx context.Context, day, purpose, text string) error {
	admins, err := f.d.Users.Users(ctx, models.RoleAdmin)
	if err != nil {
		return err
	}
	var errs []error
	for i := range admins {
		platform, to, ok := f.d.Platforms.RecipientFor(&admins[i])
		if !ok {
			continue
		}
		row, err := outbox.NewMessage(outbox.Envelope{Platform: platform, To: to, Purpose: purpose, Day: day}, bot.Message{Text: text})
		if err == nil {
			err = f.d.Outbox.Enqueue(ctx, row)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
