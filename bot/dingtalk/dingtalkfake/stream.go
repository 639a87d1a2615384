package dingtalkfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// StreamResponse is what the client answered to a pushed frame.
type StreamResponse struct {
	Code    int               `json:"code"`
	Headers map[string]string `json:"headers"`
	Message string            `json:"message"`
	Data    string            `json:"data"`
}

// streamConn is the one Stream connection the fake keeps.
type streamConn struct {
	ws      *websocket.Conn
	replies chan StreamResponse
}

var upgrader = websocket.Upgrader{}

// gatewayOpen answers POST /v1.0/gateway/connections/open with a ticket for
// this app's credentials and the fake's WebSocket endpoint.
func (f *Fake) gatewayOpen(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClientID     string `json:"clientId"`
		ClientSecret string `json:"clientSecret"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.ClientID != f.AppKey || in.ClientSecret != f.AppSecret {
		writeError(w, http.StatusUnauthorized, "invalidClient", "clientId or clientSecret invalid")
		return
	}
	ws := "ws" + strings.TrimPrefix(f.server.URL, "http") + "/gateway/ws"
	writeJSON(w, http.StatusOK, map[string]string{"endpoint": ws, "ticket": "fake-ticket"})
}

func (f *Fake) gatewayWS(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("ticket") != "fake-ticket" {
		http.Error(w, "bad ticket", http.StatusForbidden)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &streamConn{ws: ws, replies: make(chan StreamResponse, 16)}
	f.mu.Lock()
	f.stream = c
	f.mu.Unlock()
	select {
	case f.connected <- struct{}{}:
	default:
	}
	for {
		var resp StreamResponse
		if err := ws.ReadJSON(&resp); err != nil {
			f.mu.Lock()
			if f.stream == c {
				f.stream = nil
			}
			f.mu.Unlock()
			return
		}
		c.replies <- resp
	}
}

// DropStream closes the Stream connection as a network failure would.
func (f *Fake) DropStream() {
	f.mu.Lock()
	c := f.stream
	f.stream = nil
	f.mu.Unlock()
	if c != nil {
		_ = c.ws.Close()
	}
}

// WaitStream waits until a Stream client is connected (at most d).
func (f *Fake) WaitStream(d time.Duration) error {
	deadline := time.After(d)
	for {
		f.mu.Lock()
		ok := f.stream != nil
		f.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-f.connected:
		case <-deadline:
			return errors.New("no stream client connected")
		}
	}
}

// StreamPush sends a CALLBACK frame on topic with data over the Stream
// connection and returns the client's answer (waiting at most 10 s).
func (f *Fake) StreamPush(topic string, data []byte) (StreamResponse, error) {
	f.mu.Lock()
	c := f.stream
	f.streamSeq++
	id := fmt.Sprintf("fake-msg-%d", f.streamSeq)
	f.mu.Unlock()
	if c == nil {
		return StreamResponse{}, errors.New("no stream client connected")
	}
	frame := map[string]any{"specVersion": "1.0", "type": "CALLBACK", "time": time.Now().UnixMilli(),
		"headers": map[string]string{"topic": topic, "messageId": id, "contentType": "application/json"}, "data": string(data)}
	if err := c.ws.WriteJSON(frame); err != nil {
		return StreamResponse{}, err
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case r := <-c.replies:
			if r.Headers["messageId"] == id {
				return r, nil
			}
		case <-deadline:
			return StreamResponse{}, errors.New("no answer to the pushed frame")
		}
	}
}

// StreamPushAll sends one CALLBACK frame on topic per entry of data, all
// before reading any answer (as DingTalk pushes a burst), and returns the
// answers in the order of data (waiting at most 30 s in all).
func (f *Fake) StreamPushAll(topic string, data [][]byte) ([]StreamResponse, error) {
	f.mu.Lock()
	c := f.stream
	ids := make(map[string]int, len(data))
	for i := range data {
		f.streamSeq++
		ids[fmt.Sprintf("fake-msg-%d", f.streamSeq)] = i
	}
	f.mu.Unlock()
	if c == nil {
		return nil, errors.New("no stream client connected")
	}
	for id, i := range ids {
		frame := map[string]any{"specVersion": "1.0", "type": "CALLBACK", "time": time.Now().UnixMilli(),
			"headers": map[string]string{"topic": topic, "messageId": id, "contentType": "application/json"}, "data": string(data[i])}
		if err := c.ws.WriteJSON(frame); err != nil {
			return nil, err
		}
	}
	out := make([]StreamResponse, len(data))
	deadline := time.After(30 * time.Second)
	for left := len(ids); left > 0; {
		select {
		case r := <-c.replies:
			if i, ok := ids[r.Headers["messageId"]]; ok {
				out[i] = r
				left--
			}
		case <-deadline:
			return out, fmt.Errorf("%d pushed frames unanswered", left)
		}
	}
	return out, nil
}
