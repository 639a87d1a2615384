package dingtalkfake

import (
	"fmt"
	"net/url"
	"strings"
)

// DingTalk's documented payload rules, the fake's own copy (never visitbot's
// cards constants, so a wrong limit in the code under test fails here).
// Source: shared/specs/dingtalk.md ("Sending", "Limits"), which summarises
// open.dingtalk.com/document/orgapp (chatbots-send-one-on-one-chat-messages-in-batches,
// the robot message types, create-and-deliver-cards,
// interactive-card-update-interface); the line says where the spec is silent.
const (
	// maxBatchUsers: batchSend userIds, "每次最多传20个" (batchSend page).
	maxBatchUsers = 20
	// maxOutTrackIDBytes: the spec and the card pages name no length; the
	// fake keeps the 128-byte bound it has always applied (an assumption).
	maxOutTrackIDBytes = 128
	// openSpacePrefix: a one-to-one robot chat is "dtv1.card//IM_ROBOT.<userId>" (spec).
	openSpacePrefix = "dtv1.card//IM_ROBOT."
	// robotSpace is imRobotOpenDeliverModel.spaceType of a robot chat (spec).
	robotSpace = "IM_ROBOT"
	// staffIDType is userIdType 1: userIds are staff ids (spec).
	staffIDType = 1
)

// callbackTypes of createAndDeliver (spec: "callbackType":"HTTP"|"STREAM").
var callbackTypes = map[string]bool{"HTTP": true, "STREAM": true}

// msgParams lists, per msgKey, the msgParam fields the robot message types
// page requires ("企业机器人发送消息的消息类型"); the keys of an
// ActionCard button's link are in buttonURLs. msgParam is a JSON string of
// an object of strings (spec: "msgParam":"<json string>").
var msgParams = map[string][]string{
	"sampleText":        {"content"},
	"sampleMarkdown":    {"title", "text"},
	"sampleLink":        {"text", "title", "picUrl", "messageUrl"},
	"sampleActionCard":  {"title", "text", "singleTitle", "singleURL"},
	"sampleActionCard2": actionCard(2),
	"sampleActionCard3": actionCard(3),
	"sampleActionCard4": actionCard(4),
	"sampleActionCard5": actionCard(5),
	"sampleActionCard6": {"title", "text", "buttonTitle1", "buttonUrl1", "buttonTitle2", "buttonUrl2"},
}

// actionCard is sampleActionCardN's fields: N vertical buttons (N = 2…5).
func actionCard(n int) []string {
	p := []string{"title", "text"}
	for i := 1; i <= n; i++ {
		p = append(p, fmt.Sprintf("actionTitle%d", i), fmt.Sprintf("actionURL%d", i))
	}
	return p
}

// linkSchemes are what an ActionCard button may open: "ActionCard buttons
// only open URLs" (spec): web pages, and the client links of the message
// links page ("消息链接说明": dingtalk://dingtalkclient/…, dtmd://dingtalkclient/sendMessage).
var linkSchemes = map[string]bool{"http": true, "https": true, "dingtalk": true, "dtmd": true}

// msgParamErr checks a decoded msgParam against its msgKey ("" when valid).
func msgParamErr(msgKey string, param map[string]string) string {
	fields, ok := msgParams[msgKey]
	if !ok {
		return "unknown msgKey " + msgKey
	}
	for _, f := range fields {
		v, ok := param[f]
		if !ok || v == "" {
			return fmt.Sprintf("%s needs msgParam.%s", msgKey, f)
		}
		if isButtonURL(f) && !linkOK(v) {
			return fmt.Sprintf("%s msgParam.%s is not a link an ActionCard button can open", msgKey, f)
		}
	}
	return ""
}

func isButtonURL(field string) bool {
	return field == "singleURL" || strings.HasPrefix(field, "actionURL") || strings.HasPrefix(field, "buttonUrl")
}

func linkOK(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && linkSchemes[u.Scheme] && u.Host != ""
}
