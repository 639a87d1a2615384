package app

import (
	"net/http"

	"visitbot/importer"
	"visitbot/web"
)

// newWeb wires the dashboard and mobile pages with the platforms' token
// sources. Without web.session_secret a random one is generated: sessions
// then end with the process and do not work across replicas (Serve warns;
// a CLI command serves no pages and says nothing).
func (a *App) newWeb() (*web.Pages, error) {
	cfg := a.Config.Web
	if cfg.SessionSecret == "" {
		cfg.SessionSecret = web.NewSessionSecret()
	}
	o := web.Options{Store: a.Store, Flows: a.Flows, Clock: a.Clock, Log: a.Log, Config: cfg, PublicURL: a.Config.Server.PublicURL,
		Demo: a.Config.Console.Enabled, HTTPClient: &http.Client{Timeout: a.Config.WeCom.HTTPTimeout},
		Importer: a.Importer, UploadLimits: importer.DefaultUploadLimits()}
	o.UploadLimits.MaxBytes = a.Config.Import.MaxUploadBytes
	if a.WeCom != nil {
		o.WeCom, o.WeComCorpID, o.WeComAPI = a.WeCom.Client, a.Config.WeCom.CorpID, a.Config.WeCom.APIBase
	}
	if a.DingTalk != nil {
		o.DingTalk, o.DingTalkAPI = a.DingTalk.Client(), a.Config.DingTalk.OAPIBase
	}
	return web.New(o)
}
