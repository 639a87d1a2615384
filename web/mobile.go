package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/flows"
	"visitbot/models"
	"visitbot/ranking"
	"visitbot/recommend"
)

// historyRows bounds the lists on the doctor page.
const historyRows = 10

func idParam(c *gin.Context, name string) (uint, bool) {
	n, err := strconv.ParseUint(c.Param(name), 10, 32)
	return uint(n), err == nil && n > 0
}

func (p *Pages) today() string { return p.o.Store.Today() }

// doctorPage: why recommended today, heat, tier history, last visits and commitments.
func (p *Pages) doctorPage(c *gin.Context) {
	ctx := c.Request.Context()
	v := viewerOf(c)
	id, ok := idParam(c, "id")
	if !ok {
		p.fail(c, http.StatusNotFound, "没有这位医生。")
		return
	}
	allowed, err := p.canSeeDoctor(ctx, v.user, id)
	if err != nil {
		p.internal(c, err)
		return
	}
	if !allowed {
		p.fail(c, http.StatusForbidden, msgForbidden)
		return
	}
	st := p.o.Store
	d, h, err := st.Doctors.DoctorWithHospital(ctx, id)
	if errors.Is(err, models.ErrNotFound) {
		p.fail(c, http.StatusNotFound, "没有这位医生。")
		return
	}
	if err != nil {
		p.internal(c, err)
		return
	}
	var repID uint
	if v.user.Role == models.RoleRep {
		repID = v.user.ID
	}
	rec, err := st.Doctors.RecommendationFor(ctx, id, p.today(), repID)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		p.internal(c, err)
		return
	}
	var reasons []string
	if rec != nil {
		reasons = p.doctorReasons(*rec, v.user.Role == models.RoleRep)
	}
	moves, err := st.Doctors.DoctorTierHistory(ctx, id, historyRows)
	if err != nil {
		p.internal(c, err)
		return
	}
	lines, err := st.Doctors.VisitLog(ctx, id, historyRows)
	if err != nil {
		p.internal(c, err)
		return
	}
	var commitments []models.VisitLogLine
	for i := range lines {
		lines[i].Status = flows.VisitStatusName(lines[i].Status)
		lines[i].Commitments = strings.ReplaceAll(lines[i].Commitments, "|", "、")
		if lines[i].Commitments != "" && lines[i].Commitments != "无" {
			commitments = append(commitments, lines[i])
		}
	}
	p.render(c, http.StatusOK, "doctor", gin.H{"Title": d.Name, "D": d, "H": h, "Reasons": reasons, "Rec": rec != nil,
		"Moves": moves, "Visits": lines, "Commitments": commitments, "Address": cards.Address(d.Name, d.Title)})
}

// doctorReasons are a recommendation's reasons as the doctor page shows
// them: the distance (from the rep's start point) only to the rep, and
// formatted as the card's row does (cards.Km: "656m", "1.2km"); a manager
// sees the reasons without any rep's distance.
func (p *Pages) doctorReasons(rec models.Recommendation, rep bool) []string {
	var out []string
	stored, err := recommend.Reasons(rec)
	if err != nil {
		p.o.Log.Error("doctor page: stored reasons unreadable", "err", err)
		return []string{flows.MsgReasonsUnreadable}
	}
	for _, r := range stored {
		if r == ranking.DistancePhrase(rec.DistanceM) {
			if rep && rec.DistanceM > 0 {
				out = append(out, "距您"+cards.Km(rec.DistanceM))
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// ownVisit loads a visit of the viewer (reps only: feedback is the rep's own).
func (p *Pages) ownVisit(c *gin.Context) (*models.VisitRow, bool) {
	id, ok := idParam(c, "visitID")
	if !ok {
		p.fail(c, http.StatusNotFound, flows.MsgVisitNotFound)
		return nil, false
	}
	vr, err := p.o.Store.Visits.VisitRowByID(c.Request.Context(), id)
	if errors.Is(err, models.ErrNotFound) {
		p.fail(c, http.StatusNotFound, flows.MsgVisitNotFound)
		return nil, false
	}
	if err != nil {
		p.internal(c, err)
		return nil, false
	}
	if vr.RepID != viewerOf(c).user.ID {
		p.fail(c, http.StatusForbidden, flows.MsgFeedbackNotMine)
		return nil, false
	}
	return vr, true
}

func (p *Pages) feedbackPage(c *gin.Context) {
	vr, ok := p.ownVisit(c)
	if !ok {
		return
	}
	p.renderFeedback(c, http.StatusOK, vr, flows.FeedbackAnswers{}, "")
}

func (p *Pages) renderFeedback(c *gin.Context, status int, vr *models.VisitRow, a flows.FeedbackAnswers, msg string) {
	fb, err := p.o.Store.Visits.FeedbackByVisit(c.Request.Context(), vr.ID)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		p.internal(c, err)
		return
	}
	p.render(c, status, "feedback", gin.H{"Title": "拜访反馈", "V": vr, "Done": fb, "Choices": p.o.Flows.FeedbackChoices(),
		"A": a, "Message": msg, "Address": cards.Address(vr.DoctorName, vr.Title)})
}

func (p *Pages) feedbackSubmit(c *gin.Context) {
	v := viewerOf(c)
	if !p.sign.checkCSRF(v.sess, c.PostForm("csrf")) {
		p.fail(c, http.StatusForbidden, "页面已过期，请刷新后重试。")
		return
	}
	vr, ok := p.ownVisit(c)
	if !ok {
		return
	}
	a := flows.FeedbackAnswers{Concern: c.PostForm("concern"), Objection: c.PostForm("objection"), FollowUp: c.PostForm("follow_up"),
		Commitments: c.PostFormArray("commitments"), Note: c.PostForm("note")}
	_, err := p.o.Flows.SubmitFeedbackForm(c.Request.Context(), v.user, vr.ID, a)
	var ue *bot.UserError
	if errors.As(err, &ue) {
		p.renderFeedback(c, http.StatusUnprocessableEntity, vr, a, ue.Message)
		return
	}
	if err != nil {
		p.internal(c, err)
		return
	}
	p.renderFeedback(c, http.StatusOK, vr, a, "")
}

func (p *Pages) repOnly(c *gin.Context) bool {
	if viewerOf(c).user.Role != models.RoleRep {
		p.fail(c, http.StatusForbidden, "这个页面仅供医药代表使用。")
		return false
	}
	return true
}

func (p *Pages) checkinPage(c *gin.Context) {
	if p.repOnly(c) {
		p.render(c, http.StatusOK, "checkin", gin.H{"Title": "签到", "Consent": flows.MsgLocationConsent, "Once": randomToken()})
	}
}

func (p *Pages) checkinSubmit(c *gin.Context) {
	if !p.repOnly(c) {
		return
	}
	v := viewerOf(c)
	if !p.sign.checkCSRF(v.sess, c.PostForm("csrf")) {
		p.fail(c, http.StatusForbidden, "页面已过期，请刷新后重试。")
		return
	}
	lat, err1 := strconv.ParseFloat(c.PostForm("lat"), 64)
	lng, err2 := strconv.ParseFloat(c.PostForm("lng"), 64)
	if err1 != nil || err2 != nil {
		p.render(c, http.StatusBadRequest, "checkin", gin.H{"Title": "签到", "Consent": flows.MsgLocationConsent, "Once": randomToken(),
			"Texts": []string{"没有获取到位置，请允许浏览器使用位置后重试。"}})
		return
	}
	res, err := p.o.Flows.CheckInFromPage(c.Request.Context(), v.user, lat, lng, c.PostForm("once"))
	var ue *bot.UserError
	if errors.As(err, &ue) {
		res.Texts = []string{ue.Message}
	} else if err != nil {
		p.internal(c, err)
		return
	}
	p.render(c, http.StatusOK, "checkin", gin.H{"Title": "签到", "Texts": res.Texts, "Visits": res.Visits, "Done": true})
}

// routePage is today's list in route order with the AMap link of the card.
func (p *Pages) routePage(c *gin.Context) {
	if !p.repOnly(c) {
		return
	}
	ctx := c.Request.Context()
	u := viewerOf(c).user
	day := p.today()
	stops, err := p.o.Store.Plans.RouteStops(ctx, u.ID, day)
	if err != nil {
		p.internal(c, err)
		return
	}
	items := make([]cards.VisitItem, len(stops))
	rows := make([]routeRow, len(stops))
	for i, s := range stops {
		items[i] = cards.VisitItem{Rank: s.Rank, DoctorID: s.DoctorID, DoctorName: s.Doctor, Title: s.Title, Hospital: s.Hospital, Lat: s.Lat, Lng: s.Lng}
		rows[i] = newRouteRow(s)
	}
	p.render(c, http.StatusOK, "route", gin.H{"Title": "今日路线", "Day": day, "Stops": rows,
		"RouteURL": cards.RouteURL(u.StartLat, u.StartLng, items)})
}

// routeRow is one stop of /m/route in the card's words: the doctor as the
// card names them (张主任), the clinic session as 上午门诊/下午门诊, the
// visit state, and 未核验 for a check-in that was not verified.
type routeRow struct {
	DoctorID, VisitID      uint
	Name, Hospital, Period string
	Status                 string
	CheckedIn, Unverified  bool
}

func newRouteRow(s models.RouteStop) routeRow {
	r := routeRow{DoctorID: s.DoctorID, VisitID: s.VisitID, Name: cards.Address(s.Doctor, s.Title), Hospital: s.Hospital,
		Status: flows.VisitStatusName(s.Status), CheckedIn: s.Status == models.VisitCheckedIn}
	if p := cards.PeriodName(s.Period); p != "" {
		r.Period = p + "门诊"
	}
	r.Unverified = s.VisitID != 0 && !s.Verified && (s.Status == models.VisitCheckedIn || s.Status == models.VisitCompleted)
	return r
}

// cardPage is where DingTalk fallback cards link (server.public_url +
// /m/card/<taskID>): it sends the card's owner to the matching page.
func (p *Pages) cardPage(c *gin.Context) {
	u := viewerOf(c).user
	task, err := p.o.Store.Cards.CardTaskByTaskID(c.Request.Context(), c.Param("taskID"))
	if errors.Is(err, models.ErrNotFound) {
		p.fail(c, http.StatusNotFound, bot.MsgCardExpired)
		return
	}
	if err != nil {
		p.internal(c, err)
		return
	}
	if task.UserID != u.ID {
		p.fail(c, http.StatusForbidden, bot.MsgNotYourCard)
		return
	}
	target := home(u)
	switch task.Kind {
	case "feedback_step1", "feedback_step2":
		target = "/m/feedback/" + strconv.FormatUint(uint64(task.RefID), 10)
	case "visit_list", "skip_form", "checkin_pick":
		target = "/m/route"
	case "alert":
		target = "/dashboard"
	}
	c.Redirect(http.StatusFound, target)
}
