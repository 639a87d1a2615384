package handlers

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"visitbot/clock"
	"visitbot/config"
	"visitbot/importer"
	"visitbot/models"
)

// Ingest API request headers (docs/ingest-api.md).
const (
	IngestKeyHeader       = "X-Visitbot-Key"
	IngestTimestampHeader = "X-Visitbot-Timestamp"
	IngestSignatureHeader = "X-Visitbot-Signature"
)

// MaxIngestItems bounds the items of one request, so one transaction stays short.
const MaxIngestItems = 5000

// ingestKinds are the batch endpoints POST /api/v1/<kind>.
var ingestKinds = []string{"hospitals", "doctors", "signals", "flow", "sessions"}

// Ingest is what the connector API needs; a nil Deps.Ingest leaves /api/v1 unmounted.
type Ingest struct {
	Importer *importer.Importer
	Config   config.IngestConfig
}

// errReplay marks a signature that was already accepted.
var errReplay = errors.New("replayed request")

// ingestHandler serves /api/v1: verify the signature, rate-limit per client,
// decode, import in one transaction together with the signature (replay guard).
type ingestHandler struct {
	imp      *importer.Importer
	cfg      config.IngestConfig
	clock    clock.Clock
	log      *slog.Logger
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

// mountIngest serves the connector API when configured.
func (s *Server) mountIngest(r *gin.Engine) {
	if s.deps.Ingest == nil {
		return
	}
	h := &ingestHandler{imp: s.deps.Ingest.Importer, cfg: s.deps.Ingest.Config, clock: s.deps.Clock, log: s.deps.Log,
		limiters: map[string]*rate.Limiter{}}
	g := r.Group("/api/v1")
	limit := h.cfg.MaxBodyBytes
	if n := s.deps.MaxBodyBytes; n > 0 && (limit <= 0 || n < limit) {
		limit = n // the smaller of server.max_body_bytes and ingest.max_body_bytes
	}
	for _, kind := range ingestKinds {
		g.POST("/"+kind, h.serve(kind))
		s.onTooLarge("/api/v1/"+kind, func(c *gin.Context) {
			c.JSON(http.StatusRequestEntityTooLarge, gin.H{"error": tooLargeIngest(limit).Error()})
		})
	}
}

type ingestRequest struct {
	Items []map[string]any `json:"items"`
}

// IngestItemError is one bad field of one item in a 400 answer.
type IngestItemError struct {
	Index   int    `json:"index"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (h *ingestHandler) serve(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		body, status, err := h.readBody(c)
		if err != nil {
			c.JSON(status, gin.H{"error": err.Error()})
			return
		}
		keyID, sig, err := h.verify(c.Request.Header, body)
		if err != nil {
			c.Header("WWW-Authenticate", `HMAC-SHA256 realm="visitbot"`)
			c.JSON(http.StatusUnauthorized, gin.H{"error": err.Error()})
			return
		}
		if wait, ok := h.allow(keyID); !ok {
			c.Header("Retry-After", strconv.Itoa(wait))
			c.JSON(http.StatusTooManyRequests, gin.H{"error": fmt.Sprintf("rate limit of %d requests per minute exceeded", h.cfg.RatePerMin)})
			return
		}
		var req ingestRequest
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			c.JSON(http.StatusBadRequest, gin.H{"error": "body must be a JSON object {\"items\": [...]}: " + err.Error()})
			return
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			c.JSON(http.StatusBadRequest, gin.H{"error": "body must be a JSON object {\"items\": [...]} and nothing after it"})
			return
		}
		if len(req.Items) == 0 || len(req.Items) > MaxIngestItems {
			c.JSON(http.StatusBadRequest, gin.H{"error": fmt.Sprintf("items must hold 1 to %d objects, got %d", MaxIngestItems, len(req.Items))})
			return
		}
		in, err := importer.FromJSON(kind, req.Items)
		if err != nil {
			c.JSON(http.StatusNotFound, gin.H{"error": err.Error()})
			return
		}
		rep, err := h.imp.Import(c.Request.Context(), kind, in, importer.Options{Guard: replayGuard(sig)})
		switch {
		case errors.Is(err, errReplay):
			c.JSON(http.StatusConflict, gin.H{"error": "replayed request: this signature was already accepted; sign a retry with a new timestamp"})
		case errors.Is(err, importer.ErrRejected):
			c.JSON(http.StatusBadRequest, gin.H{"error": "invalid items; nothing was written", "errors": itemErrors(rep.Errors)})
		case errors.Is(err, models.ErrConflict):
			c.JSON(http.StatusConflict, gin.H{"error": "an item conflicts with existing data (duplicate unique value)"})
		case err != nil:
			h.log.Error("ingest failed", "client", keyID, "kind", kind, "err", err)
			c.JSON(http.StatusInternalServerError, gin.H{"error": "import failed"})
		default:
			h.log.Info("ingest", "client", keyID, "kind", kind, "items", rep.Rows, "created", rep.Created, "updated", rep.Updated)
			c.JSON(http.StatusOK, gin.H{"kind": kind, "received": rep.Rows, "created": rep.Created, "updated": rep.Updated, "unchanged": rep.Unchanged})
		}
	}
}

// tooLargeIngest is the 413 answer of the ingest API.
func tooLargeIngest(limit int64) error {
	return fmt.Errorf("body larger than %d bytes: send smaller batches", limit)
}

// readBody reads at most ingest.max_body_bytes (413 beyond).
func (h *ingestHandler) readBody(c *gin.Context) ([]byte, int, error) {
	limit := h.cfg.MaxBodyBytes
	tooLarge := tooLargeIngest(limit)
	if limit > 0 && c.Request.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	r := io.Reader(c.Request.Body)
	if limit > 0 {
		r = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	body, err := io.ReadAll(r)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("read body: %w", err)
	}
	return body, 0, nil
}

// verify checks the client's HMAC-SHA256 of timestamp + "\n" + body and the
// timestamp window; it returns the key id and the signature.
func (h *ingestHandler) verify(hd http.Header, body []byte) (string, string, error) {
	keyID, ts, sig := hd.Get(IngestKeyHeader), hd.Get(IngestTimestampHeader), hd.Get(IngestSignatureHeader)
	if keyID == "" || ts == "" || sig == "" {
		return "", "", fmt.Errorf("missing %s, %s or %s header", IngestKeyHeader, IngestTimestampHeader, IngestSignatureHeader)
	}
	secret, ok := h.cfg.Clients[keyID]
	if !ok {
		return "", "", errors.New("unknown key or bad signature")
	}
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return "", "", errors.New("signature must be 64 hex characters")
	}
	if !hmac.Equal(got, IngestSignature(secret, ts, body)) {
		return "", "", errors.New("unknown key or bad signature")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "", "", errors.New("timestamp must be Unix seconds")
	}
	if d := h.clock.Now().Sub(time.Unix(sec, 0)); math.Abs(d.Seconds()) > h.cfg.Window.Seconds() {
		return "", "", fmt.Errorf("timestamp outside the ±%s window: check the client's clock", h.cfg.Window)
	}
	return keyID, hex.EncodeToString(got), nil
}

// IngestSignature is HMAC-SHA256(secret, timestamp + "\n" + body); clients
// send it hex-encoded in X-Visitbot-Signature.
func IngestSignature(secret, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte("\n"))
	m.Write(body)
	return m.Sum(nil)
}

// allow takes a token from the client's bucket: ingest.rate_per_min per
// minute, bursting to the same number. It reads the injected clock.
func (h *ingestHandler) allow(keyID string) (retryAfter int, ok bool) {
	perMin := h.cfg.RatePerMin
	if perMin <= 0 {
		return 0, true
	}
	h.mu.Lock()
	lim, found := h.limiters[keyID]
	if !found {
		lim = rate.NewLimiter(rate.Limit(float64(perMin)/60), perMin)
		h.limiters[keyID] = lim
	}
	h.mu.Unlock()
	if lim.AllowN(h.clock.Now(), 1) {
		return 0, true
	}
	return int(math.Ceil(60 / float64(perMin))), false
}

// replayGuard records the signature in the import's transaction: a second
// request with the same signature finds it and is refused with 409.
func replayGuard(sig string) func(ctx context.Context, tx *models.Store) error {
	return func(ctx context.Context, tx *models.Store) error {
		err := tx.Inbox.RecordDelivery(ctx, "ingest", sig, "api")
		if errors.Is(err, models.ErrConflict) {
			return errReplay
		}
		return err
	}
}

func itemErrors(errs []importer.RowError) []IngestItemError {
	out := make([]IngestItemError, len(errs))
	for i, e := range errs {
		msg := e.Reason
		if e.Value != "" {
			msg = fmt.Sprintf("%q %s", e.Value, e.Reason)
		}
		out[i] = IngestItemError{Index: e.Row, Field: e.Field, Message: msg}
	}
	return out
}
