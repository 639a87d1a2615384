package outbox

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// outboxMetrics are the dispatcher's Prometheus series. They are registered
// on the Registerer handed to NewDispatcher (the app's registry, served at
// /metrics), never on the global default registry.
type outboxMetrics struct {
	enqueued *prometheus.CounterVec
	sent     *prometheus.CounterVec
	failed   *prometheus.CounterVec
	dead     *prometheus.CounterVec
	deferred *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	depth    *prometheus.GaugeVec
	// dispatchers is the number of live dispatchers sharing the pacing.
	dispatchers prometheus.Gauge
}

// platformCounter is a counter of outbox messages by platform.
func platformCounter(name, help string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"platform"})
}

func newOutboxMetrics(reg prometheus.Registerer) (*outboxMetrics, error) {
	m := &outboxMetrics{
		enqueued: platformCounter("visitbot_outbox_enqueued_total", "Outbox messages queued through Dispatcher.Enqueue (duplicates not counted)."),
		sent:     platformCounter("visitbot_outbox_sent_total", "Outbox messages delivered to the platform."),
		failed:   platformCounter("visitbot_outbox_failed_total", "Send attempts that failed (retried or dead)."),
		dead:     platformCounter("visitbot_outbox_dead_total", "Outbox messages moved to the dead-letter state."),
		deferred: platformCounter("visitbot_outbox_rate_limited_total", "Claimed messages held back by a per-member rate window."),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "visitbot_outbox_send_seconds", Help: "Latency of one platform send or card update call.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"platform"}),
		dispatchers: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "visitbot_outbox_dispatchers", Help: "Live dispatchers (all replicas) sharing each platform's pacing.",
		}),
		depth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "visitbot_outbox_messages", Help: "Outbox rows per status (queue depth: pending + sending).",
		}, []string{"status"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.enqueued, m.sent, m.failed, m.dead, m.deferred, m.latency, m.depth, m.dispatchers} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register outbox metrics: %w", err)
		}
	}
	return m, nil
}
