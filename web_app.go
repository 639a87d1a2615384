package main

import (
	"net/http"

	"visitbot/web"
)

// newWeb wires the dashboard and mobile pages with the platforms' token
// sources. Without web.session_secret a random one is generated: sessions
// then end with the process and do not work across replicas.
func (a *app) newWeb() (*web.Pages, error) {
	cfg := a.cfg.Web
	if cfg.SessionSecret == "" {
		a.log.Warn("web.session_secret is empty: generated a random one; sign-ins end at restart and are not shared between replicas")
		cfg.SessionSecret = web.NewSessionSecret()
	}
	o := web.Options{Store: a.store, Flows: a.flows, Clock: a.clock, Log: a.log, Config: cfg, PublicURL: a.cfg.Server.PublicURL,
		Demo: a.cfg.Console.Enabled, HTTPClient: &http.Client{Timeout: a.cfg.WeCom.HTTPTimeout}}
	if a.wecom != nil {
		o.WeCom, o.WeComCorpID, o.WeComAPI = a.wecom.Client, a.cfg.WeCom.CorpID, a.cfg.WeCom.APIBase
	}
	if a.dingtalk != nil {
		o.DingTalk, o.DingTalkAPI = a.dingtalk.Client(), a.cfg.DingTalk.OAPIBase
	}
	return web.New(o)
}
