package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// statusTitles head the error pages in Chinese (the page title and <h1>):
// a person reads 禁止访问, never "Forbidden".
var statusTitles = map[int]string{
	http.StatusBadRequest:            "请求有误",
	http.StatusUnauthorized:          "请先登录",
	http.StatusForbidden:             "禁止访问",
	http.StatusNotFound:              "找不到页面",
	http.StatusConflict:              "状态已变化",
	http.StatusRequestEntityTooLarge: "内容太大",
	http.StatusUnprocessableEntity:   "信息不完整",
	http.StatusTooManyRequests:       "操作太频繁",
	http.StatusInternalServerError:   "服务器出错",
	http.StatusServiceUnavailable:    "服务暂不可用",
}

// statusTitle is the Chinese heading of an error status (出错了 for one
// without its own).
func statusTitle(status int) string {
	if t, ok := statusTitles[status]; ok {
		return t
	}
	return "出错了"
}

// errorLink is where an error page sends the reader on: the page they came
// from when it is known, else their home page when signed in (返回首页),
// else the sign-in page.
type errorLink struct {
	Href, Text string
}

// failWith is fail with the link the page offers (zero: the default one).
func (p *Pages) failWith(c *gin.Context, status int, msg string, link errorLink) {
	if isAPI(c) {
		c.AbortWithStatusJSON(status, gin.H{"error": msg})
		return
	}
	if link.Href == "" {
		link = errorLink{"/auth/login", "返回登录"}
		if v, ok := c.Get(viewerKey); ok {
			link = errorLink{home(v.(*viewer).user), "返回首页"}
		}
	}
	p.render(c, status, "error", gin.H{"Title": statusTitle(status), "Message": msg, "Link": link})
	c.Abort()
}
