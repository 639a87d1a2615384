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
}

func (r PushResult) String() string {
	return fmt.Sprintf("day %s: %d reps, %d cards, %d \"no recommendation\" notes, %d newly queued, %d already queued, %d without a platform id",
		r.Day, r.Reps, r.Cards, r.NoList, r.Queued, r.Already, len(r.NoPlatform))
}

// MorningPush ranks every rep's day, renders the visit-list card and queues
// it in the outbox, one per rep and day: running it again (another replica,
// a manual `job run`, a restart mid-way) queues nothing twice. Reps without
// a platform id are reported to the admins in one summary.
func (f *Flows) MorningPush(ctx context.Context, day string, only []string) (PushResult, error) {
	res := PushResult{Day: day}
	if _, err := f.d.Recommend.TopN(ctx, day, false); err != nil {
		return res, fmt.Errorf("morning push: rank: %w", err)
	}
	reps, err := f.d.Users.Users(ctx, models.RoleRep)
	if err != nil {
		return res, fmt.Errorf("morning push: %w", err)
	}
	want := map[string]bool{}
	for _, id := range only {
		want[id] = true
	}
	for i := range reps {
		rep := &reps[i]
		if !rep.Active || (len(want) > 0 && !want[rep.UserID]) {
			continue
		}
		res.Reps++
		platform, to, ok := f.d.Platforms.RecipientFor(rep)
		if !ok {
			res.NoPlatform = append(res.NoPlatform, rep.UserID)
			continue
		}
		queued, hasList, err := f.pushOne(ctx, rep, platform, to, day)
		if err != nil {
			return res, fmt.Errorf("morning push to %s: %w", rep.UserID, err)
		}
		if hasList {
			res.Cards++
		} else {
			res.NoList++
		}
		if queued {
			res.Queued++
		} else {
			res.Already++
		}
	}
	if len(res.NoPlatform) > 0 {
		if err := f.notifyAdmins(ctx, day, "push_summary", fmt.Sprintf("今日推送：%d位代表没有企业微信/钉钉账号，未能收到名单：%s。请在用户数据中补充账号。",
			len(res.NoPlatform), strings.Join(res.NoPlatform, "、"))); err != nil {
			return res, err
		}
	}
	return res, nil
}

// pushOne queues one rep's card (or the no-recommendation note) and its card
// task in one transaction.
func (f *Flows) pushOne(ctx context.Context, rep *models.User, platform bot.Platform, to bot.Recipient, day string) (queued, hasList bool, err error) {
	items, err := f.d.Plans.PlanItems(ctx, rep.ID, day)
	if err != nil {
		return false, false, err
	}
	env := outbox.Envelope{Platform: platform, To: to, Purpose: purposeMorningPush, Day: day}
	var msg bot.Message
	var task *models.CardTask
	if len(items) == 0 {
		msg = bot.Message{Text: MsgNoRecommendation}
	} else {
		hasList = true
		card, err := f.visitListCard(rep, day, NewTaskID("vl", day, rep.ID), items, false)
		if err != nil {
			return false, true, err
		}
		body, _ := json.Marshal(card)
		task = &models.CardTask{TaskID: card.TaskID, Platform: string(platform), UserID: rep.ID, Kind: card.Kind, Day: day, Card: string(body)}
		msg = bot.Message{Card: &card}
	}
	row, err := outbox.NewMessage(env, msg)
	if err != nil {
		return false, hasList, err
	}
	err = f.d.DB.Tx(ctx, func(ctx context.Context) error {
		if err := f.d.Outbox.Enqueue(ctx, row); err != nil {
			return err
		}
		if row.ID == 0 || task == nil {
			return nil // already queued earlier: keep the first card and its task
		}
		return f.d.Cards.SaveCardTask(ctx, task)
	})
	return row.ID != 0, hasList, err
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
			Rank: n, DoctorID: it.DoctorID, DoctorName: it.DoctorName, Title: it.Title, Hospital: it.HospitalName,
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
