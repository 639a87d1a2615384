package dingtalk

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"visitbot/bot"
)

// Callback types of an advanced card: where DingTalk sends its button
// clicks (HTTP to the registered route, or over the Stream connection).
const (
	CallbackHTTP   = "HTTP"
	CallbackStream = "STREAM"
)

// CallbackRouteKey is the route visitbot registers for its card callbacks
// (POST /v1.0/card/callbacks/register) and names on every card it creates.
const CallbackRouteKey = "visitbot"

// CardData is the public data of a card instance.
type CardData struct {
	CardParamMap map[string]string `json:"cardParamMap"`
}

// CardUpdateOptions says how an update merges with the card's data.
type CardUpdateOptions struct {
	UpdateCardDataByKey    bool `json:"updateCardDataByKey"`
	UpdatePrivateDataByKey bool `json:"updatePrivateDataByKey"`
}

// CreateCardRequest is the body of card/instances/createAndDeliver for a
// one-to-one robot chat.
type CreateCardRequest struct {
	CardTemplateID          string          `json:"cardTemplateId"`
	OutTrackID              string          `json:"outTrackId"`
	CallbackType            string          `json:"callbackType"`
	CallbackRouteKey        string          `json:"callbackRouteKey,omitempty"`
	CardData                CardData        `json:"cardData"`
	OpenSpaceID             string          `json:"openSpaceId"`
	ImRobotOpenDeliverModel *RobotDeliverTo `json:"imRobotOpenDeliverModel"`
	UserIDType              int             `json:"userIdType"`
}

// RobotDeliverTo names the robot whose chat the card is delivered to.
type RobotDeliverTo struct {
	SpaceType string `json:"spaceType"`
	RobotCode string `json:"robotCode"`
}

type createCardResponse struct {
	Success bool `json:"success"`
	Result  struct {
		OutTrackID     string `json:"outTrackId"`
		DeliverResults []struct {
			SpaceID  string `json:"spaceId"`
			Success  bool   `json:"success"`
			ErrorMsg string `json:"errorMsg"`
		} `json:"deliverResults"`
	} `json:"result"`
}

// UpdateCardRequest is the body of PUT card/instances.
type UpdateCardRequest struct {
	OutTrackID        string             `json:"outTrackId"`
	CardData          CardData           `json:"cardData"`
	CardUpdateOptions *CardUpdateOptions `json:"cardUpdateOptions,omitempty"`
}

// ErrNotDelivered is a card DingTalk created but could not deliver (the
// user left, or is outside the app's visible range): not worth retrying.
var ErrNotDelivered = errors.New("dingtalk: card not delivered")

// CodeOutTrackIDExists is DingTalk's answer to a createAndDeliver whose
// outTrackId already names a card: the card was delivered before.
const CodeOutTrackIDExists = "param.outTrackIdExist"

// CreateAndDeliver creates an advanced card instance and delivers it to the
// user's one-to-one chat with the robot (userIdType 1 = staff id).
func (c *Client) CreateAndDeliver(ctx context.Context, userID, templateID, outTrackID, callbackType string, params map[string]string) error {
	in := CreateCardRequest{
		CardTemplateID: templateID, OutTrackID: outTrackID, CallbackType: callbackType, CallbackRouteKey: CallbackRouteKey,
		CardData:                CardData{CardParamMap: params},
		OpenSpaceID:             "dtv1.card//IM_ROBOT." + userID,
		ImRobotOpenDeliverModel: &RobotDeliverTo{SpaceType: "IM_ROBOT", RobotCode: c.opt.RobotCode},
		UserIDType:              1,
	}
	if callbackType == CallbackStream {
		in.CallbackRouteKey = ""
	}
	var out createCardResponse
	if err := c.do(ctx, http.MethodPost, PathCardCreate, in, &out); err != nil {
		return err
	}
	for _, r := range out.Result.DeliverResults {
		if !r.Success {
			return bot.Permanent(fmt.Errorf("%w: %s to %s: %s", ErrNotDelivered, outTrackID, r.SpaceID, r.ErrorMsg))
		}
	}
	return nil
}

// UpdateCard merges params into the card's public data (by key).
func (c *Client) UpdateCard(ctx context.Context, outTrackID string, params map[string]string) error {
	in := UpdateCardRequest{OutTrackID: outTrackID, CardData: CardData{CardParamMap: params},
		CardUpdateOptions: &CardUpdateOptions{UpdateCardDataByKey: true}}
	return c.do(ctx, http.MethodPut, PathCardUpdate, in, nil)
}

// RegisterCardCallback points the app's card callback route at url
// (callbackUrl) once; forceUpdate replaces an earlier registration.
func (c *Client) RegisterCardCallback(ctx context.Context, url, apiSecret string) error {
	in := map[string]any{"callbackRouteKey": CallbackRouteKey, "callbackUrl": url, "apiSecret": apiSecret, "forceUpdate": true}
	return c.do(ctx, http.MethodPost, PathCardRegisterHook, in, nil)
}
