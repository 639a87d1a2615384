package dingtalk

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Robot callback rejection causes.
var (
	ErrRobotSignMissing = errors.New("dingtalk: robot callback without timestamp or sign header")
	ErrRobotSign        = errors.New("dingtalk: robot callback sign does not match")
	ErrRobotTimestamp   = errors.New("dingtalk: robot callback timestamp outside the accepted window")
)

// RobotSignWindow is how far a robot callback's timestamp may be from now:
// DingTalk documents one hour. The sign covers only the timestamp, so replays
// inside the window are stopped by msgId dedupe.
const RobotSignWindow = time.Hour

// RobotSign is base64(HMAC-SHA256(key=appSecret, msg=timestamp+"\n"+appSecret)).
func RobotSign(appSecret, timestamp string) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write([]byte(timestamp + "\n" + appSecret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// VerifyRobotSign checks the timestamp (ms) and sign headers of a robot
// callback against appSecret and now, comparing in constant time.
func VerifyRobotSign(appSecret, timestamp, sign string, now time.Time) error {
	if timestamp == "" || sign == "" {
		return ErrRobotSignMissing
	}
	ms, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q is not milliseconds", ErrRobotTimestamp, timestamp)
	}
	at := time.UnixMilli(ms)
	if d := now.Sub(at); d > RobotSignWindow || d < -RobotSignWindow {
		return ErrRobotTimestamp
	}
	if subtle.ConstantTimeCompare([]byte(sign), []byte(RobotSign(appSecret, timestamp))) != 1 {
		return ErrRobotSign
	}
	return nil
}
