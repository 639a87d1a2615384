package flows

import (
	"errors"

	"visitbot/bot"
	"visitbot/cards"
)

// keepLive answers a click that leaves its card usable — a validation
// prompt or a refusal (a *bot.UserError) — with the message and the whole
// card sent again, live, so no platform leaves it greyed or half-frozen
// (WeCom spends the click's response_code on an update_template_card; the
// console redraws it). Any other error is returned as is. Nothing may have
// been written before the refusal: the reply commits.
func keepLive(err error, card cards.Card) (bot.Reply, error) {
	var ue *bot.UserError
	if !errors.As(err, &ue) {
		return bot.Reply{}, err
	}
	return bot.Reply{Texts: []string{ue.Message}, Update: wholeCard(card)}, nil
}

// wholeCard is an update that replaces the clicked card by c.
func wholeCard(c cards.Card) *bot.CardUpdate {
	return &bot.CardUpdate{TaskID: c.TaskID, Card: &c}
}
