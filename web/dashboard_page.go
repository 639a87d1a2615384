package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"visitbot/bot"
	"visitbot/flows"
	"visitbot/models"
)

// dashboardData loads the viewer's scope and summary; false = answered.
func (p *Pages) dashboardData(c *gin.Context) (*Summary, bool) {
	v := viewerOf(c)
	sc, err := p.dashboardScope(c.Request.Context(), v.user, c.Query("manager"))
	if err != nil {
		p.refuse(c, err)
		return nil, false
	}
	wk, err := p.weekParam(c.Query("week"))
	if err != nil {
		p.fail(c, http.StatusBadRequest, "周格式应为 2026-W49。")
		return nil, false
	}
	fallback := false
	if c.Query("week") == "" {
		if wk, fallback, err = p.weekWithData(c.Request.Context(), sc, wk); err != nil {
			p.internal(c, err)
			return nil, false
		}
	}
	s, err := p.summary(c.Request.Context(), sc, wk)
	if s != nil {
		s.Fallback = fallback
	}
	if err != nil {
		p.internal(c, err)
		return nil, false
	}
	return s, true
}

func (p *Pages) dashboard(c *gin.Context) {
	if viewerOf(c).user.Role == models.RoleRep {
		c.Redirect(http.StatusFound, "/m/route")
		return
	}
	s, ok := p.dashboardData(c)
	if !ok {
		return
	}
	var managers []models.User
	if viewerOf(c).user.Role == models.RoleAdmin {
		var err error
		if managers, err = p.o.Store.Users.Users(c.Request.Context(), models.RoleManager); err != nil {
			p.internal(c, err)
			return
		}
	}
	p.render(c, http.StatusOK, "dashboard", gin.H{
		"Title": "团队看板", "S": s, "Managers": managers, "ManagerParam": c.Query("manager"), "Back": c.Request.URL.RequestURI(),
		"Trend": lineChart("chart-trend", "计划执行匹配率（近8周）", s.Trend),
		"Bars": []BarChart{
			barChart("chart-tier", "本周已核验拜访（按分级）", s.ByTier),
			barChart("chart-heat", "客户热度指数分布", s.Heat),
			barChart("chart-quality", "拜访质量分分布", s.Quality.Buckets),
		},
	})
}

func (p *Pages) summaryJSON(c *gin.Context) {
	if s, ok := p.dashboardData(c); ok {
		c.JSON(http.StatusOK, s)
	}
}

// alertAction performs 已知悉/一周后提醒 from the dashboard through the
// same flows rules as the card buttons.
func (p *Pages) alertAction(c *gin.Context) {
	v := viewerOf(c)
	if !p.sign.checkCSRF(v.sess, c.PostForm("csrf")) {
		p.fail(c, http.StatusForbidden, "页面已过期，请刷新后重试。")
		return
	}
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil {
		p.fail(c, http.StatusNotFound, "没有这条提醒。")
		return
	}
	action := c.PostForm("action")
	if action != flows.AlertActionAck && action != flows.AlertActionSnooze {
		p.fail(c, http.StatusBadRequest, "不支持的操作。")
		return
	}
	_, err = p.o.Flows.AlertActionFromPage(c.Request.Context(), v.user, uint(id), action)
	var ue *bot.UserError
	switch {
	case errors.As(err, &ue) && ue.Message == flows.MsgAlertNotYours:
		p.fail(c, http.StatusForbidden, ue.Message)
		return
	case errors.As(err, &ue):
		// A stale tab (handled in chat or another tab): say so, and lead back.
		p.failWith(c, http.StatusConflict, ue.Message+"请返回看板查看最新状态。", errorLink{"/dashboard", "返回看板"})
		return
	case err != nil:
		p.internal(c, err)
		return
	}
	back := safeNext(c.PostForm("back"))
	if u, err := url.Parse(back); back == "" || err != nil || u.Path != "/dashboard" {
		back = "/dashboard"
	}
	c.Redirect(http.StatusSeeOther, back)
}
