package console

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"visitbot/bot"
	"visitbot/models"
)

// Limits on what the page may post. They bound the stored rows and the
// delivery key (platform + user id + client id must fit the 191-byte
// inbound_deliveries key).
const (
	// MaxTextRunes caps a typed message; WeCom itself caps text at 2048 bytes.
	MaxTextRunes = 2048
	// MaxClientIDLen caps the page's idempotency token.
	MaxClientIDLen = 64
	// MaxTaskIDLen is WeCom's task_id limit (128 bytes).
	MaxTaskIDLen = 128
	// MaxKeyLen is WeCom's limit on a button or question key (1024 bytes).
	MaxKeyLen = 1024
	// MaxSelections bounds the answered questions of one submit (WeCom: 3
	// select_list entries, or one checkbox / button_selection).
	MaxSelections = 4
	// MaxOptionIDs is WeCom's checkbox option_list cap (20).
	MaxOptionIDs = 20
	// MaxLabelRunes caps a shared location's label.
	MaxLabelRunes = 128
)

// InputError is a malformed request from the page; the handler answers 400
// with its English message.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

func invalid(format string, args ...any) error {
	return &InputError{Msg: fmt.Sprintf(format, args...)}
}

// IsInputError reports whether err is (or wraps) an InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// TextRequest is a typed message from the page.
type TextRequest struct {
	User     string `json:"user"`
	Text     string `json:"text"`
	ClientID string `json:"client_id"`
}

// SelectionRequest is the answer to one card question.
type SelectionRequest struct {
	QuestionKey string   `json:"question_key"`
	OptionIDs   []string `json:"option_ids"`
}

// ActionRequest is a button click or a submit on a card.
type ActionRequest struct {
	User     string             `json:"user"`
	TaskID   string             `json:"task_id"`
	Key      string             `json:"key"`
	Selected []SelectionRequest `json:"selected"`
	ClientID string             `json:"client_id"`
}

// LocationRequest is a shared location: a picked hospital or typed coordinates (GCJ-02).
type LocationRequest struct {
	User     string   `json:"user"`
	Lat      *float64 `json:"lat"`
	Lng      *float64 `json:"lng"`
	Label    string   `json:"label"`
	ClientID string   `json:"client_id"`
}

// Result tells the page what happened to a post.
type Result struct {
	// Duplicate is true when the client id was already handled: nothing changed.
	Duplicate bool `json:"duplicate"`
}

// Validate checks the request against the limits above.
func (r TextRequest) Validate() error {
	if err := checkCommon(r.User, r.ClientID); err != nil {
		return err
	}
	if !utf8.ValidString(r.Text) {
		return invalid("text is not valid UTF-8")
	}
	if strings.TrimSpace(r.Text) == "" {
		return invalid("text is empty")
	}
	if n := utf8.RuneCountInString(r.Text); n > MaxTextRunes {
		return invalid("text has %d characters, at most %d allowed", n, MaxTextRunes)
	}
	return nil
}

// Text posts a typed message as a bot.EventText.
func (c *Console) Text(ctx context.Context, r TextRequest) (Result, error) {
	u, err := c.validUser(ctx, r, r.User)
	if err != nil {
		return Result{}, err
	}
	return c.post(ctx, u, r.ClientID, bot.Event{Kind: bot.EventText, Text: r.Text})
}

// Validate checks the request against WeCom's card limits.
func (r ActionRequest) Validate() error {
	if err := checkCommon(r.User, r.ClientID); err != nil {
		return err
	}
	if r.TaskID == "" || len(r.TaskID) > MaxTaskIDLen {
		return invalid("task_id must have 1 to %d bytes", MaxTaskIDLen)
	}
	if r.Key == "" || len(r.Key) > MaxKeyLen {
		return invalid("key must have 1 to %d bytes", MaxKeyLen)
	}
	if len(r.Selected) > MaxSelections {
		return invalid("at most %d selections allowed, got %d", MaxSelections, len(r.Selected))
	}
	seen := map[string]bool{}
	for i, s := range r.Selected {
		if s.QuestionKey == "" || len(s.QuestionKey) > MaxKeyLen {
			return invalid("selected[%d].question_key must have 1 to %d bytes", i, MaxKeyLen)
		}
		if seen[s.QuestionKey] {
			return invalid("selected[%d].question_key %q is repeated", i, s.QuestionKey)
		}
		seen[s.QuestionKey] = true
		if len(s.OptionIDs) > MaxOptionIDs {
			return invalid("selected[%d] has %d option ids, at most %d allowed", i, len(s.OptionIDs), MaxOptionIDs)
		}
		for _, id := range s.OptionIDs {
			if id == "" || len(id) > MaxKeyLen {
				return invalid("selected[%d] has an empty or too long option id", i)
			}
		}
	}
	return nil
}

// Action posts a card click or submit as a bot.EventCardAction. The response
// code stored for the card task (if any) goes with it, as WeCom sends the
// card's current code with every click.
func (c *Console) Action(ctx context.Context, r ActionRequest) (Result, error) {
	if err := r.Validate(); err != nil {
		return Result{}, err
	}
	a := &bot.CardAction{TaskID: r.TaskID, Key: r.Key}
	for _, sel := range r.Selected {
		a.Selected = append(a.Selected, bot.Selection{QuestionKey: sel.QuestionKey, OptionIDs: sel.OptionIDs})
	}
	u, err := c.user(ctx, r.User)
	if err != nil {
		return Result{}, err
	}
	// A missing task is the bot's business (it answers "card expired"), and
	// so is a task owned by someone else (it refuses and audits).
	task, err := c.store.Cards.CardTaskByTaskID(ctx, r.TaskID)
	switch {
	case err == nil:
		a.ResponseCode = task.ResponseCode
	case !errors.Is(err, models.ErrNotFound):
		return Result{}, fmt.Errorf("load card task %s: %w", r.TaskID, err)
	}
	if card, err := c.cardOf(ctx, u.ID, r.TaskID); err == nil {
		a.CardType = string(card.Layout)
	}
	return c.post(ctx, u, r.ClientID, bot.Event{Kind: bot.EventCardAction, Action: a})
}

// Validate checks that both coordinates are present and in range.
func (r LocationRequest) Validate() error {
	if err := checkCommon(r.User, r.ClientID); err != nil {
		return err
	}
	if r.Lat == nil || r.Lng == nil {
		return invalid("lat and lng are required")
	}
	lat, lng := *r.Lat, *r.Lng
	if math.IsNaN(lat) || lat < -90 || lat > 90 {
		return invalid("lat %v is out of range [-90, 90]", lat)
	}
	if math.IsNaN(lng) || lng < -180 || lng > 180 {
		return invalid("lng %v is out of range [-180, 180]", lng)
	}
	if !utf8.ValidString(r.Label) || utf8.RuneCountInString(r.Label) > MaxLabelRunes {
		return invalid("label must be valid UTF-8 with at most %d characters", MaxLabelRunes)
	}
	return nil
}

// Location posts a shared location as a bot.EventLocation.
func (c *Console) Location(ctx context.Context, r LocationRequest) (Result, error) {
	u, err := c.validUser(ctx, r, r.User)
	if err != nil {
		return Result{}, err
	}
	loc := &bot.Location{Lat: *r.Lat, Lng: *r.Lng, Label: strings.TrimSpace(r.Label)}
	return c.post(ctx, u, r.ClientID, bot.Event{Kind: bot.EventLocation, Location: loc})
}

// ErrUnknownUser is returned for a user id that is not in the database (it
// also matches models.ErrNotFound).
var ErrUnknownUser = errors.New("unknown console user")

// user resolves a console user id.
// validUser validates the request r, then looks up its user.
func (c *Console) validUser(ctx context.Context, r interface{ Validate() error }, userID string) (*models.User, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return c.user(ctx, userID)
}

func (c *Console) user(ctx context.Context, userID string) (*models.User, error) {
	u, err := c.store.Users.UserByUserID(ctx, userID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, fmt.Errorf("%w %q: %w", ErrUnknownUser, userID, err)
	}
	if err != nil {
		return nil, fmt.Errorf("console user %q: %w", userID, err)
	}
	return u, nil
}

func (c *Console) post(ctx context.Context, u *models.User, clientID string, ev bot.Event) (Result, error) {
	_, err := c.postAs(ctx, u, clientID, ev)
	if errors.Is(err, bot.ErrDuplicate) {
		return Result{Duplicate: true}, nil
	}
	return Result{}, err
}

func checkCommon(user, clientID string) error {
	if user == "" || len(user) > 64 {
		return invalid("user must have 1 to 64 bytes")
	}
	if len(clientID) > MaxClientIDLen {
		return invalid("client_id has more than %d bytes", MaxClientIDLen)
	}
	for _, r := range clientID {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return invalid("client_id may only contain letters, digits, '-' and '_'")
		}
	}
	return nil
}
