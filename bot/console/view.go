package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/models"
)

// Read limits for the page.
const (
	// DefaultMessages is how many of a user's latest lines the page shows.
	DefaultMessages = 100
	// MaxMessages caps the messages query.
	MaxMessages = 500
	// MaxHospitals caps the location picker's list.
	MaxHospitals = 2000
)

// UserView is one entry of the user picker.
type UserView struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	RoleName  string `json:"role_name"`
	Territory string `json:"territory,omitempty"`
	Manager   string `json:"manager,omitempty"`
}

// UserGroups is the picker, grouped as the page shows it.
type UserGroups struct {
	Managers []UserView `json:"managers"`
	Reps     []UserView `json:"reps"`
	Admins   []UserView `json:"admins"`
}

// Users lists the active users grouped by role, each group by user id.
func (c *Console) Users(ctx context.Context) (UserGroups, error) {
	all, err := c.store.Users.Users(ctx, "")
	if err != nil {
		return UserGroups{}, fmt.Errorf("list users: %w", err)
	}
	names := make(map[uint]string, len(all))
	for _, u := range all {
		names[u.ID] = u.Name
	}
	g := UserGroups{Managers: []UserView{}, Reps: []UserView{}, Admins: []UserView{}}
	for _, u := range all {
		if !u.Active {
			continue
		}
		v := UserView{ID: u.UserID, Name: u.Name, Role: string(u.Role), RoleName: bot.Role(u.Role).Label(), Territory: u.Territory}
		if u.ManagerID != nil {
			v.Manager = names[*u.ManagerID]
		}
		switch u.Role {
		case models.RoleManager:
			g.Managers = append(g.Managers, v)
		case models.RoleAdmin:
			g.Admins = append(g.Admins, v)
		default:
			g.Reps = append(g.Reps, v)
		}
	}
	return g, nil
}

// LocationView is a shared location as the page shows it.
type LocationView struct {
	Lat   float64 `json:"lat"`
	Lng   float64 `json:"lng"`
	Label string  `json:"label,omitempty"`
}

// MessageView is one chat line: a text, a card in its current (possibly
// updated) state, or a shared location. Direction "in" is what the user
// sent, "out" what the bot sent.
type MessageView struct {
	ID        uint          `json:"id"`
	Direction string        `json:"direction"`
	Kind      string        `json:"kind"`
	At        time.Time     `json:"at"`
	Text      string        `json:"text,omitempty"`
	Card      *cards.Card   `json:"card,omitempty"`
	Location  *LocationView `json:"location,omitempty"`
}

// Messages returns the user's latest limit lines, oldest first. An unknown
// user is ErrUnknownUser.
func (c *Console) Messages(ctx context.Context, userID string, limit int) ([]MessageView, error) {
	return c.MessagesBefore(ctx, userID, 0, limit)
}

// MessagesBefore returns the limit lines just older than the line beforeID
// (0: the latest), oldest first, ordered by the time of the message: the page
// opens on today even after `simulate` wrote a past fortnight, and reaches
// earlier days page by page (更早的消息). A beforeID that is not one of the
// user's lines is an input error.
func (c *Console) MessagesBefore(ctx context.Context, userID string, beforeID uint, limit int) ([]MessageView, error) {
	if limit <= 0 || limit > MaxMessages {
		return nil, invalid("limit must be between 1 and %d", MaxMessages)
	}
	u, err := c.user(ctx, userID)
	if err != nil {
		return nil, err
	}
	rows, err := c.store.Console.ConsoleMessagesBefore(ctx, u.ID, beforeID, limit)
	if errors.Is(err, models.ErrNotFound) {
		return nil, invalid("before: no message %d of user %s", beforeID, userID)
	}
	if err != nil {
		return nil, fmt.Errorf("console messages of %s: %w", userID, err)
	}
	out := make([]MessageView, 0, len(rows))
	for i := len(rows) - 1; i >= 0; i-- {
		out = append(out, view(rows[i]))
	}
	return out, nil
}

func view(m models.ConsoleMessage) MessageView {
	v := MessageView{ID: m.ID, Direction: m.Direction, Kind: m.Kind, At: m.CreatedAt.UTC()}
	var body Body
	if err := json.Unmarshal([]byte(m.Body), &body); err != nil {
		// A row this code did not write: show that, rather than failing the page.
		v.Kind, v.Text = "text", "（无法显示的消息）"
		return v
	}
	v.Text, v.Card = body.Text, body.Card
	if body.Location != nil {
		v.Location = &LocationView{Lat: body.Location.Lat, Lng: body.Location.Lng, Label: body.Location.Label}
	}
	return v
}

// HospitalView is one entry of the location picker.
type HospitalView struct {
	ID    uint    `json:"id"`
	Name  string  `json:"name"`
	City  string  `json:"city,omitempty"`
	Level string  `json:"level,omitempty"`
	Lat   float64 `json:"lat"`
	Lng   float64 `json:"lng"`
}

// Hospitals lists hospitals by name for the location picker (at most MaxHospitals).
func (c *Console) Hospitals(ctx context.Context) ([]HospitalView, error) {
	rows, err := c.store.Console.HospitalsByName(ctx, MaxHospitals)
	if err != nil {
		return nil, fmt.Errorf("list hospitals: %w", err)
	}
	out := make([]HospitalView, 0, len(rows))
	for _, h := range rows {
		out = append(out, HospitalView{ID: h.ID, Name: h.Name, City: h.City, Level: h.Level, Lat: h.Lat, Lng: h.Lng})
	}
	return out, nil
}

// cardOf returns the console copy of a card the user received.
func (c *Console) cardOf(ctx context.Context, userID uint, taskID string) (*cards.Card, error) {
	msg, err := c.store.Console.ConsoleCard(ctx, userID, taskID)
	if err != nil {
		return nil, err
	}
	var body Body
	if err := json.Unmarshal([]byte(msg.Body), &body); err != nil || body.Card == nil {
		return nil, fmt.Errorf("console card %s: stored card unreadable", taskID)
	}
	return body.Card, nil
}
