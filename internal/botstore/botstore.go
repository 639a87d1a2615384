// Package botstore is the bot seam's storage: it implements bot.Store over
// the models aggregates and converts between their rows and the seam's plain
// values, so package bot knows no GORM entity and models knows no bot type.
package botstore

import (
	"context"
	"errors"

	"visitbot/bot"
	"visitbot/models"
)

// Store implements bot.Store on st.
type Store struct{ st *models.Store }

var _ bot.Store = Store{}

// New returns the bot's view of st.
func New(st *models.Store) Store { return Store{st: st} }

// Tx runs fn in one transaction carried by ctx.
func (s Store) Tx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.st.Tx(ctx, fn)
}

// RecordDelivery records the delivery key; a repeat is bot.ErrDuplicate.
func (s Store) RecordDelivery(ctx context.Context, platform bot.Platform, key string, kind bot.EventKind) error {
	err := s.st.Inbox.RecordDelivery(ctx, string(platform), key, string(kind))
	if errors.Is(err, models.ErrConflict) {
		return bot.ErrDuplicate
	}
	return err
}

// StoreRawEvent keeps an unhandled event.
func (s Store) StoreRawEvent(ctx context.Context, platform bot.Platform, typ, body string) error {
	return s.st.Inbox.StoreRawEvent(ctx, string(platform), typ, body)
}

// UserByPlatformID finds the active sender, or bot.ErrUnknownUser.
func (s Store) UserByPlatformID(ctx context.Context, platform bot.Platform, id string) (bot.User, error) {
	u, err := s.st.Users.UserByPlatformID(ctx, string(platform), id)
	if errors.Is(err, models.ErrNotFound) {
		return bot.User{}, bot.ErrUnknownUser
	}
	if err != nil {
		return bot.User{}, err
	}
	return User(u), nil
}

// CardTask loads a card task, or bot.ErrNoCard.
func (s Store) CardTask(ctx context.Context, taskID string) (bot.CardTask, error) {
	t, err := s.st.Cards.CardTaskByTaskID(ctx, taskID)
	if errors.Is(err, models.ErrNotFound) {
		return bot.CardTask{}, bot.ErrNoCard
	}
	if err != nil {
		return bot.CardTask{}, err
	}
	return CardTask(t), nil
}

// SetCardResponseCode keeps the newest response code of a card.
func (s Store) SetCardResponseCode(ctx context.Context, taskID, code string) error {
	return s.st.Cards.SetCardResponseCode(ctx, taskID, code)
}

// Audit writes one audit log row.
func (s Store) Audit(ctx context.Context, actorID uint, action, target string, detail any) error {
	return s.st.Audit.Record(ctx, actorID, action, target, detail)
}

// User is the seam's value of a users row.
func User(u *models.User) bot.User {
	return bot.User{ID: u.ID, UserID: u.UserID, Name: u.Name, Role: bot.Role(u.Role), Territory: u.Territory}
}

// CardTask is the seam's value of a card_tasks row.
func CardTask(t *models.CardTask) bot.CardTask {
	return bot.CardTask{ID: t.ID, TaskID: t.TaskID, Platform: bot.Platform(t.Platform), UserID: t.UserID, Kind: t.Kind,
		RefID: t.RefID, Day: t.Day, ResponseCode: t.ResponseCode, State: t.State, Card: t.Card, Data: t.Data}
}
