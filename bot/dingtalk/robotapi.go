package dingtalk

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"visitbot/cards"
)

// BatchSendMaxUsers is the most userIds one oToMessages/batchSend call takes.
const BatchSendMaxUsers = 20

// flowControlRetries and flowControlBackoff bound the resend of users
// DingTalk reported in flowControlledStaffIdList (per-user throttling).
const (
	flowControlRetries = 2
	flowControlBackoff = 2 * time.Second
)

// BatchSendResult is DingTalk's answer, merged over chunks and retries.
type BatchSendResult struct {
	ProcessQueryKey string
	// Invalid users are unknown to the app or outside its visible range.
	Invalid []string
	// FlowControlled users were still throttled after the retries.
	FlowControlled []string
}

type batchSendRequest struct {
	RobotCode string   `json:"robotCode"`
	UserIDs   []string `json:"userIds"`
	MsgKey    string   `json:"msgKey"`
	MsgParam  string   `json:"msgParam"`
}

type batchSendResponse struct {
	ProcessQueryKey           string   `json:"processQueryKey"`
	InvalidStaffIDList        []string `json:"invalidStaffIdList"`
	FlowControlledStaffIDList []string `json:"flowControlledStaffIdList"`
}

// BatchSend sends a robot message to users one-to-one, 20 users a call.
// Users DingTalk reports as flow-controlled are sent again after a backoff,
// up to flowControlRetries times; whoever is still throttled is returned.
func (c *Client) BatchSend(ctx context.Context, userIDs []string, msg cards.DingTalkMessage) (BatchSendResult, error) {
	param, err := json.Marshal(msg.MsgParam)
	if err != nil {
		return BatchSendResult{}, fmt.Errorf("dingtalk batchSend: encode msgParam: %w", err)
	}
	var res BatchSendResult
	pending := slices.Clone(userIDs)
	for try := 0; len(pending) > 0; try++ {
		if try > 0 {
			if err := c.sleep(ctx, flowControlBackoff*time.Duration(try)); err != nil {
				return res, fmt.Errorf("dingtalk batchSend: %w", err)
			}
		}
		var throttled []string
		for chunk := range slices.Chunk(pending, BatchSendMaxUsers) {
			var out batchSendResponse
			in := batchSendRequest{RobotCode: c.opt.RobotCode, UserIDs: chunk, MsgKey: msg.MsgKey, MsgParam: string(param)}
			if err := c.do(ctx, "POST", PathBatchSend, in, &out); err != nil {
				return res, err
			}
			if out.ProcessQueryKey != "" {
				res.ProcessQueryKey = out.ProcessQueryKey
			}
			res.Invalid = append(res.Invalid, out.InvalidStaffIDList...)
			throttled = append(throttled, out.FlowControlledStaffIDList...)
		}
		pending = throttled
		if try >= flowControlRetries {
			break
		}
	}
	res.FlowControlled = pending
	return res, nil
}
