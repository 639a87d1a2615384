package dingtalk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/open-dingtalk/dingtalk-stream-sdk-go/payload"

	"visitbot/clock"
)

// Stream topics visitbot subscribes to.
const (
	// TopicRobot carries robot messages (the same JSON as the HTTP robot callback).
	TopicRobot = payload.BotMessageCallbackTopic
	// TopicCard carries advanced card callbacks of cards created with callbackType STREAM.
	TopicCard = payload.CardInstanceCallbackTopic
	// PathStreamOpen opens a Stream connection (relative to api_base).
	PathStreamOpen = "/v1.0/gateway/connections/open"
)

// Stream connection timing.
const (
	streamReconnectMin = time.Second
	streamReconnectMax = time.Minute
	// streamPingEvery keeps NATs open; a connection silent for streamIdle
	// (no frame, no pong) is dropped and reopened.
	streamPingEvery = 30 * time.Second
	streamIdle      = 90 * time.Second
	streamMaxFrame  = 1 << 20
	// StreamWorkers bounds the callback frames handled at once on one
	// connection; when all are busy the reader stops reading (DingTalk
	// holds the rest) instead of starting a goroutine per frame.
	StreamWorkers = 16
)

// Stream receives robot messages and card callbacks over DingTalk's Stream
// mode: an outbound WebSocket opened with the app's credentials, so no
// public URL is needed. Frames feed the same Adapter path as the HTTP
// routes (dedupe, ownership, replies). The connection is authenticated by
// the credentials, so robot messages carry no sign on this transport.
//
// It speaks the protocol with the frame types of
// github.com/open-dingtalk/dingtalk-stream-sdk-go/payload but its own
// connection loop: the SDK's client (v0.9.1) writes answers from one
// goroutine per frame without a lock, which the race detector flags and
// gorilla/websocket forbids. Here every write holds a mutex.
type Stream struct {
	a       *Adapter
	apiBase string
	http    *http.Client
	dialer  *websocket.Dialer
	done    chan struct{}
}

// NewStream prepares the Stream transport for the adapter's app; apiBase
// is where connections are opened (dingtalk.api_base).
func NewStream(a *Adapter, apiBase string) *Stream {
	return &Stream{a: a, apiBase: apiBase, http: &http.Client{Timeout: 10 * time.Second},
		dialer: &websocket.Dialer{HandshakeTimeout: 10 * time.Second, Proxy: http.ProxyFromEnvironment}}
}

// Start opens the first connection (so bad credentials stop startup) and
// keeps it open in the background, reconnecting with backoff, until ctx ends.
func (s *Stream) Start(ctx context.Context) error {
	conn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		s.run(ctx, conn)
	}()
	return nil
}

// Done is closed once the transport stopped after ctx ended (nil before Start).
func (s *Stream) Done() <-chan struct{} { return s.done }

func (s *Stream) run(ctx context.Context, conn *websocket.Conn) {
	log := s.a.opt.Log
	for {
		err := s.serve(ctx, conn)
		if ctx.Err() != nil {
			return
		}
		log.Warn("dingtalk stream: connection lost, reconnecting", "err", err)
		for failures := 1; ; failures++ {
			wait := clock.Backoff(failures, streamReconnectMin, streamReconnectMax, 0, rand.Float64())
			if clock.Sleep(ctx, wait) != nil {
				return
			}
			if conn, err = s.connect(ctx); err == nil {
				break
			}
			log.Warn("dingtalk stream: reconnect failed", "err", err, "attempt", failures)
		}
	}
}

// connect asks for an endpoint and ticket, then dials the WebSocket.
func (s *Stream) connect(ctx context.Context) (*websocket.Conn, error) {
	in := map[string]any{
		"clientId": s.a.opt.Config.AppKey, "clientSecret": s.a.opt.Config.AppSecret, "ua": "visitbot",
		"subscriptions": []map[string]string{{"type": "CALLBACK", "topic": TopicRobot}, {"type": "CALLBACK", "topic": TopicCard}},
	}
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.apiBase+PathStreamOpen, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("dingtalk stream: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("dingtalk stream: open connection: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		var e struct{ Code, Message string }
		_ = json.Unmarshal(raw, &e)
		return nil, fmt.Errorf("dingtalk stream: open connection: HTTP %d %s %s", resp.StatusCode, e.Code, e.Message)
	}
	var ep payload.ConnectionEndpointResponse
	if err := json.Unmarshal(raw, &ep); err != nil {
		return nil, fmt.Errorf("dingtalk stream: open connection: %w", err)
	}
	if err := ep.Valid(); err != nil {
		return nil, fmt.Errorf("dingtalk stream: open connection: %w", err)
	}
	conn, _, err := s.dialer.DialContext(ctx, ep.Endpoint+"?ticket="+url.QueryEscape(ep.Ticket), nil)
	if err != nil {
		// The dial error names the endpoint; the ticket is a one-time credential, so not the URL.
		return nil, errors.New("dingtalk stream: dial the stream endpoint failed")
	}
	conn.SetReadLimit(streamMaxFrame)
	return conn, nil
}

// serve reads frames until the connection fails or ctx ends. SYSTEM
// frames are answered at once; callbacks go to at most StreamWorkers
// goroutines (the reader waits for a free one); every answer is written
// under the write lock.
func (s *Stream) serve(ctx context.Context, conn *websocket.Conn) error {
	var (
		wmu sync.Mutex
		wg  sync.WaitGroup
	)
	workers := make(chan struct{}, StreamWorkers)
	answer := func(df *payload.DataFrame, resp *payload.DataFrameResponse) {
		resp.SetHeader(payload.DataFrameHeaderKMessageId, df.GetMessageId())
		if resp.GetHeader(payload.DataFrameHeaderKContentType) == "" {
			resp.SetHeader(payload.DataFrameHeaderKContentType, payload.DataFrameContentTypeKJson)
		}
		wmu.Lock()
		defer wmu.Unlock()
		_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if err := conn.WriteJSON(resp); err != nil {
			s.a.opt.Log.Warn("dingtalk stream: answer not written", "err", err)
		}
	}
	quit := make(chan struct{})
	// Deferred in reverse: stop pinging, close the connection (unblocking
	// any answer being written), then wait for the goroutines.
	defer wg.Wait()
	defer conn.Close()
	defer close(quit)
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	alive := func() error { return conn.SetReadDeadline(time.Now().Add(streamIdle)) }
	_ = alive()
	conn.SetPongHandler(func(string) error { return alive() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		pinger := time.NewTicker(streamPingEvery)
		defer pinger.Stop()
		for {
			select {
			case <-pinger.C:
				if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(5*time.Second)) != nil {
					return
				}
			case <-quit:
				return
			}
		}
	}()
	for {
		kind, data, err := conn.ReadMessage()
		if err != nil {
			return err
		}
		_ = alive()
		if kind != websocket.TextMessage {
			continue
		}
		df, err := payload.DecodeDataFrame(data)
		if err != nil || df.Headers == nil {
			s.a.opt.Log.Warn("dingtalk stream: undecodable frame", "bytes", len(data))
			continue
		}
		if df.Type == "SYSTEM" && df.GetTopic() == "disconnect" {
			return errors.New("dingtalk stream: server asked to reconnect")
		}
		if df.Type == "SYSTEM" {
			answer(df, s.handle(ctx, df))
			continue
		}
		select {
		case workers <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-workers }()
			answer(df, s.handle(ctx, df))
		}()
	}
}

// handle answers one frame: SYSTEM ping, a robot message, a card callback.
func (s *Stream) handle(ctx context.Context, df *payload.DataFrame) *payload.DataFrameResponse {
	switch {
	case df.Type == "SYSTEM" && df.GetTopic() == "ping":
		pong := payload.NewDataFrameAckPong(df.GetMessageId())
		pong.Data = df.Data
		return pong
	case df.Type == "CALLBACK" && df.GetTopic() == TopicRobot:
		return s.onRobot(ctx, df)
	case df.Type == "CALLBACK" && df.GetTopic() == TopicCard:
		return s.onCard(ctx, df)
	}
	return payload.NewDataFrameResponse(payload.DataFrameResponseStatusCodeKHandlerNotFound)
}

func (s *Stream) onRobot(ctx context.Context, df *payload.DataFrame) *payload.DataFrameResponse {
	err := s.a.robotMessage(ctx, []byte(df.Data))
	switch {
	case err == nil:
		return payload.NewSuccessDataFrameResponse()
	case errors.Is(err, ErrRobotMessage):
		s.a.opt.Log.Warn("dingtalk stream: robot message refused", "err", err)
		return errorFrame(http.StatusBadRequest, "malformed robot message")
	}
	s.a.opt.Log.Error("dingtalk stream: robot message failed", "err", err)
	return errorFrame(http.StatusInternalServerError, "internal error")
}

func (s *Stream) onCard(ctx context.Context, df *payload.DataFrame) *payload.DataFrameResponse {
	cb, err := ParseCardCallback([]byte(df.Data))
	if err != nil {
		s.a.opt.Log.Warn("dingtalk stream: card callback refused", "err", err)
		return errorFrame(http.StatusBadRequest, "malformed card callback")
	}
	ans, err := s.a.HandleCardCallback(ctx, cb)
	if err != nil {
		s.a.opt.Log.Error("dingtalk stream: card callback failed", "err", err)
		return errorFrame(http.StatusInternalServerError, "internal error")
	}
	resp := payload.NewSuccessDataFrameResponse()
	if err := resp.SetJson(map[string]any{"response": ans}); err != nil {
		return errorFrame(http.StatusInternalServerError, "internal error")
	}
	return resp
}

func errorFrame(code int, msg string) *payload.DataFrameResponse {
	r := payload.NewDataFrameResponse(code)
	r.Message = msg
	return r
}
