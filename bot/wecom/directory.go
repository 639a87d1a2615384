package wecom

import (
	"context"
	"net/url"
)

// userGetAnswer is the part of user/get (document 90196) visitbot reads.
type userGetAnswer struct {
	apiResult
	DirectLeader []string `json:"direct_leader"`
}

// DirectLeaders returns the WeCom user ids of a member's 直属上级 from the
// address book (GET /cgi-bin/user/get). It goes through this client, not
// silenceper's addresslist, whose HTTP client and URL rewriting are
// process-global and take no context: the token is the shared one, api_base
// is honoured and errors never carry the token.
func (c *Client) DirectLeaders(ctx context.Context, weComUserID string) ([]string, error) {
	var ans userGetAnswer
	if err := c.getJSON(ctx, "/cgi-bin/user/get", url.Values{"userid": {weComUserID}}, &ans); err != nil {
		return nil, err
	}
	return ans.DirectLeader, nil
}
