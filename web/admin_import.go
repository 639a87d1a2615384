package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"visitbot/importer"
	"visitbot/models"
)

// Admin import page limits.
const (
	// UploadTTL is how long a dry-run upload waits for 确认导入: long enough
	// to read the report, short enough that a forgotten tab does not commit
	// data that has gone stale.
	UploadTTL = 30 * time.Minute
	// maxMappingBytes caps the optional mapping file (YAML; real ones are a
	// few KiB).
	maxMappingBytes = 256 << 10
	// formSlack is what a multipart body carries beyond the file: the
	// mapping, the small fields and the part headers.
	formSlack = maxMappingBytes + 64<<10
)

// Chinese messages of the import page.
const (
	msgAdminsOnly      = "数据导入仅对管理员开放。"
	msgFormExpired     = "页面已过期，请刷新后重试。"
	msgNoFile          = "请选择要上传的文件。"
	msgNeedKind        = "上传单个 .xlsx 或 .csv 文件时，请选择数据类型；整套导出请打包为 .zip（含 bundle.yaml）。"
	msgUploadGone      = "这次上传已失效（已经导入，或已被清理），请重新上传并试运行。"
	msgUploadExpired   = "这次上传已超过有效期，请重新上传并试运行。"
	msgOtherSession    = "这次上传属于另一次登录，请在试运行的页面上确认，或重新上传。"
	msgUploadChanged   = "上传内容与试运行时不一致，请重新上传并试运行。"
	msgAlreadyImported = "这次上传已经导入过了。"
	msgBadForm         = "无法读取上传的表单，请重试。"
	msgMappingTooLarge = "映射文件过大（最多 256 KB）。"
)

// kindLabels are the page's names of the importable kinds.
var kindLabels = map[string]string{
	"hospitals": "医院", "products": "产品", "users": "人员（代表、经理、管理员）", "doctors": "医生",
	"doctor_products": "医生-产品", "assignments": "代表负责医生", "sessions": "门诊排班", "flow": "流向", "signals": "信号",
}

func kindLabel(k string) string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return k
}

// mountAdminImport adds /admin/import to the signed-in routes (nothing when
// the pages have no importer).
func (p *Pages) mountAdminImport(a gin.IRoutes) {
	if p.o.Importer == nil {
		return
	}
	a.GET("/admin/import", p.adminImportPage)
	a.POST("/admin/import", p.adminImportDryRun)
	a.POST("/admin/import/commit", p.adminImportCommit)
}

// uploadLimits are Options.UploadLimits, or the importer's defaults.
func (p *Pages) uploadLimits() importer.UploadLimits {
	if p.o.UploadLimits.MaxBytes > 0 {
		return p.o.UploadLimits
	}
	return importer.DefaultUploadLimits()
}

// adminOnly answers 403 unless the viewer is an admin.
func (p *Pages) adminOnly(c *gin.Context) (*viewer, bool) {
	v := viewerOf(c)
	if v.user.Role != models.RoleAdmin {
		p.fail(c, http.StatusForbidden, msgAdminsOnly)
		return nil, false
	}
	return v, true
}

// importView is what admin_import.html shows.
type importView struct {
	Kinds   []kindOption
	MaxSize string
	// Name and Digest identify the upload the report is about.
	Name, Digest string
	Report       *importReport
	// Token is set when the dry run passed: the 确认导入 form carries it.
	Token   string
	Expires string
	// Done is set after the commit.
	Done    bool
	Message string
}

type kindOption struct{ Key, Label string }

// importReport is a Result laid out for the page.
type importReport struct {
	Files    []fileView
	Kinds    []kindCountView
	Summary  string
	Problems int
	Rejected bool
	Products []string
}

type fileView struct {
	Name, Kind string
	Rows       int
	models.UpsertCounts
	Header  []string
	Groups  []groupView
	More    int
	BadRows int
	Ignored []string
}

type groupView struct {
	Count int
	Text  string
}

type kindCountView struct {
	Kind string
	importer.KindCount
}

func newImportReport(res importer.Result) *importReport {
	r := &importReport{Summary: res.Summary.Text(importer.LangZH), Rejected: res.Rejected(),
		Problems: res.Summary.Problems + res.Summary.HeaderProblems, Products: res.Summary.CreatedProducts}
	for _, f := range res.Files {
		fv := fileView{Name: f.File, Kind: kindLabel(f.Kind), Rows: f.Rows, UpsertCounts: f.UpsertCounts, More: f.MoreGroups,
			BadRows: f.BadRows, Ignored: f.Ignored}
		for _, h := range f.Header {
			fv.Header = append(fv.Header, fmt.Sprintf("%s [%s]", h.Message(importer.LangZH), h.Key))
		}
		for _, g := range f.Groups {
			fv.Groups = append(fv.Groups, groupView{Count: g.Count, Text: g.Text(importer.LangZH)})
		}
		r.Files = append(r.Files, fv)
	}
	for _, k := range res.Summary.Kinds {
		r.Kinds = append(r.Kinds, kindCountView{Kind: kindLabel(k.Kind), KindCount: k})
	}
	return r
}

func (p *Pages) showImport(c *gin.Context, status int, view importView) {
	for _, k := range importer.Kinds() {
		view.Kinds = append(view.Kinds, kindOption{Key: k, Label: kindLabel(k)})
	}
	view.MaxSize = megabytes(p.uploadLimits().MaxBytes)
	p.render(c, status, "admin_import", gin.H{"Title": "数据导入", "V": view})
}

func megabytes(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", n>>10)
	}
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

func (p *Pages) adminImportPage(c *gin.Context) {
	if _, ok := p.adminOnly(c); !ok {
		return
	}
	p.showImport(c, http.StatusOK, importView{})
}

// uploadForm is the dry-run form as read from the multipart body.
type uploadForm struct {
	csrf, kind    string
	createMissing bool
	name          string
	data, mapping []byte
}

// errTooLarge is an upload over import.max_upload_bytes.
var errTooLarge = errors.New("upload too large")

// readUploadForm streams the multipart body into memory within the limits:
// the file up to max bytes, the mapping up to maxMappingBytes.
func readUploadForm(r *http.Request, max int64) (uploadForm, error) {
	var f uploadForm
	mr, err := r.MultipartReader()
	if err != nil {
		return f, fmt.Errorf("multipart: %w", err)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			return f, tooLarge(fmt.Errorf("multipart: %w", err))
		}
		if err := f.read(part, max); err != nil {
			return f, err
		}
	}
}

func (f *uploadForm) read(part *multipart.Part, max int64) error {
	defer part.Close()
	limit := int64(4 << 10)
	switch part.FormName() {
	case "file":
		limit = max
	case "mapping":
		limit = maxMappingBytes
	}
	data, err := io.ReadAll(io.LimitReader(part, limit+1))
	if err != nil {
		return tooLarge(fmt.Errorf("read %s: %w", part.FormName(), err))
	}
	if int64(len(data)) > limit {
		if part.FormName() == "mapping" {
			return errMappingTooLarge
		}
		return errTooLarge
	}
	switch part.FormName() {
	case "csrf":
		f.csrf = string(data)
	case "kind":
		f.kind = strings.TrimSpace(string(data))
	case "create_missing":
		f.createMissing = string(data) == "products"
	case "file":
		f.name, f.data = path.Base(strings.ReplaceAll(part.FileName(), "\\", "/")), data
	case "mapping":
		f.mapping = data
	}
	return nil
}

var errMappingTooLarge = errors.New("mapping too large")

// tooLarge turns the body limit's error into errTooLarge.
func tooLarge(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge
	}
	return err
}

// options are the import options the form asked for.
func (f uploadForm) options() importer.Options {
	var o importer.Options
	if f.createMissing {
		o.CreateMissing = []string{"products"}
	}
	return o
}

// adminImportDryRun takes the upload, dry-runs it and shows the report;
// when it passed, the upload is kept under a token for 确认导入.
func (p *Pages) adminImportDryRun(c *gin.Context) {
	v, ok := p.adminOnly(c)
	if !ok {
		return
	}
	lim := p.uploadLimits()
	if c.Request.ContentLength > lim.MaxBytes+formSlack {
		p.uploadTooLarge(c, lim)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, lim.MaxBytes+formSlack)
	form, err := readUploadForm(c.Request, lim.MaxBytes)
	switch {
	case errors.Is(err, errTooLarge):
		p.uploadTooLarge(c, lim)
		return
	case errors.Is(err, errMappingTooLarge):
		p.fail(c, http.StatusRequestEntityTooLarge, msgMappingTooLarge)
		return
	case err != nil:
		p.o.Log.Info("admin import: bad form", "err", err)
		p.fail(c, http.StatusBadRequest, msgBadForm)
		return
	}
	if !p.sign.checkCSRF(v.sess, form.csrf) {
		p.fail(c, http.StatusForbidden, msgFormExpired)
		return
	}
	isZip := strings.EqualFold(path.Ext(form.name), ".zip")
	switch {
	case form.name == "" || len(form.data) == 0:
		p.showImport(c, http.StatusBadRequest, importView{Message: msgNoFile})
		return
	case !isZip && form.kind == "":
		p.showImport(c, http.StatusBadRequest, importView{Message: msgNeedKind})
		return
	}
	if isZip {
		form.kind, form.mapping = "", nil
	}
	ctx := c.Request.Context()
	b, err := p.o.Importer.OpenUpload(form.name, form.data, form.kind, form.mapping, lim)
	if err != nil {
		p.showImport(c, http.StatusUnprocessableEntity, importView{Name: form.name, Message: "无法打开上传的内容：" + err.Error()})
		return
	}
	opts := form.options()
	opts.DryRun = true
	res, err := p.o.Importer.ImportBundle(ctx, b, opts)
	if err != nil && !errors.Is(err, importer.ErrRejected) {
		p.internal(c, err)
		return
	}
	view := importView{Name: form.name, Digest: b.Digest, Report: newImportReport(res)}
	if err := p.o.Store.Audit.Record(ctx, v.user.ID, "import:dry_run", form.name, auditDetail(b.Digest, form, res.Files)); err != nil {
		p.internal(c, err)
		return
	}
	if !view.Report.Rejected {
		token := randomToken() + randomToken()
		expires := p.o.Clock.Now().Add(UploadTTL)
		up := &models.ImportUpload{TokenHash: models.HashUploadToken(token), UserID: v.user.ID, Session: p.uploadSession(v.sess),
			Digest: b.Digest, Name: form.name, Kind: form.kind, Mapping: form.mapping, ExpiresAt: expires}
		if form.createMissing {
			up.CreateMissing = "products"
		}
		if err := p.o.Store.Import.SaveUpload(ctx, up, form.data); err != nil {
			p.internal(c, err)
			return
		}
		view.Token, view.Expires = token, expires.In(p.o.Store.Location()).Format("15:04")
	}
	p.showImport(c, http.StatusOK, view)
}

func (p *Pages) uploadTooLarge(c *gin.Context, lim importer.UploadLimits) {
	p.fail(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("上传的文件超过上限 %s，请拆分后分批上传（或请运维调整 import.max_upload_bytes）。", megabytes(lim.MaxBytes)))
}

// uploadSession binds an upload to the sign-in that dry-ran it.
func (p *Pages) uploadSession(s session) string {
	return hex.EncodeToString(p.sign.mac("import-upload", []byte(s.Nonce)))
}

// auditDetail is what the audit log keeps of an import: the upload, the
// options and the counts by kind.
func auditDetail(digest string, form uploadForm, files []importer.Report) map[string]any {
	t := importer.Tally(files)
	return map[string]any{"sha256": digest, "kind": form.kind, "create_missing": form.createMissing,
		"kinds": t.Kinds, "problems": t.Problems, "header_problems": t.HeaderProblems}
}

// adminImportCommit imports the upload a dry run kept, once, in one
// transaction that also removes the upload and writes the audit row.
func (p *Pages) adminImportCommit(c *gin.Context) {
	v, ok := p.adminOnly(c)
	if !ok {
		return
	}
	if !p.sign.checkCSRF(v.sess, c.PostForm("csrf")) {
		p.fail(c, http.StatusForbidden, msgFormExpired)
		return
	}
	ctx := c.Request.Context()
	up, data, err := p.o.Store.Import.Upload(ctx, c.PostForm("token"))
	switch {
	case errors.Is(err, models.ErrNotFound):
		p.fail(c, http.StatusGone, msgUploadGone)
		return
	case err != nil:
		p.internal(c, err)
		return
	case up.UserID != v.user.ID || up.Session != p.uploadSession(v.sess):
		p.o.Log.Warn("admin import: upload of another session", "user", v.user.UserID, "upload", up.ID)
		p.fail(c, http.StatusForbidden, msgOtherSession)
		return
	case !p.o.Clock.Now().Before(up.ExpiresAt):
		p.fail(c, http.StatusGone, msgUploadExpired)
		return
	}
	sum := sha256.Sum256(data)
	if digest := hex.EncodeToString(sum[:]); digest != up.Digest || c.PostForm("digest") != up.Digest {
		p.fail(c, http.StatusConflict, msgUploadChanged)
		return
	}
	form := uploadForm{kind: up.Kind, createMissing: up.CreateMissing == "products", name: up.Name, data: data, mapping: up.Mapping}
	b, err := p.o.Importer.OpenUpload(up.Name, data, up.Kind, up.Mapping, p.uploadLimits())
	if err != nil {
		p.internal(c, fmt.Errorf("reopen upload %d: %w", up.ID, err))
		return
	}
	opts := form.options()
	opts.Guard = func(ctx context.Context, tx *models.Store) error { return tx.Import.TakeUpload(ctx, up.ID) }
	opts.BeforeCommit = func(ctx context.Context, files []importer.Report) error {
		return p.o.Store.Audit.Record(ctx, v.user.ID, "import:commit", up.Name,
			auditDetail(up.Digest, form, files))
	}
	res, err := p.o.Importer.ImportBundle(ctx, b, opts)
	view := importView{Name: up.Name, Digest: up.Digest, Report: newImportReport(res)}
	switch {
	case errors.Is(err, models.ErrUploadTaken):
		p.fail(c, http.StatusConflict, msgAlreadyImported)
		return
	case errors.Is(err, importer.ErrRejected):
		// The data changed since the dry run (a row it named is gone): nothing written.
		view.Message = "导入时发现问题，未写入任何数据。请根据报告修改后重新上传。"
		p.showImport(c, http.StatusUnprocessableEntity, view)
		return
	case err != nil:
		p.internal(c, err)
		return
	}
	p.o.Log.Info("admin import committed", "user", v.user.UserID, "file", up.Name, "sha256", up.Digest[:12])
	if err := p.o.Flows.AnnounceImport(ctx, "web:"+up.Digest[:16]+":"+fmt.Sprint(up.ID), res.Summary.Text(importer.LangZH)); err != nil {
		p.o.Log.Error("admin import: telling the admins failed", "err", err)
	}
	view.Done = true
	p.showImport(c, http.StatusOK, view)
}
