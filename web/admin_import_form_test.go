package web

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzUploadForm: any multipart body yields a form within the limits or an
// error, never a panic; the file and mapping never exceed their caps.
//
//	go test -run '^$' -fuzz FuzzUploadForm ./web/
func FuzzUploadForm(f *testing.F) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.SetBoundary("vb-boundary")
	mw.WriteField("csrf", "tok")
	mw.WriteField("kind", "hospitals")
	fw, _ := mw.CreateFormFile("file", `C:\导出\医院.csv`)
	fw.Write([]byte("医院编码,医院名称\nH1,一院\n"))
	mf, _ := mw.CreateFormFile("mapping", "m.yaml")
	mf.Write([]byte("columns: {院区编码: hospital_id}\n"))
	mw.Close()
	f.Add(body.Bytes())
	f.Add([]byte("--vb-boundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.zip\"\r\n\r\n" + string(make([]byte, 300)) + "\r\n--vb-boundary--\r\n"))
	f.Add([]byte("--vb-boundary--"))
	const max = 256
	f.Fuzz(func(t *testing.T, data []byte) {
		req := httptest.NewRequest(http.MethodPost, "/admin/import", bytes.NewReader(data))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=vb-boundary")
		form, err := readUploadForm(req, max)
		if err != nil {
			return
		}
		if len(form.data) > max || len(form.mapping) > maxMappingBytes || len(form.csrf) > 4<<10 {
			t.Fatalf("limits passed: file %d, mapping %d, csrf %d", len(form.data), len(form.mapping), len(form.csrf))
		}
		if form.name != "" && (bytes.ContainsAny([]byte(form.name), `/\`)) {
			t.Fatalf("file name keeps a path: %q", form.name)
		}
	})
}

// TestUploadFormLimits: an oversize file is errTooLarge, an oversize mapping
// errMappingTooLarge, and a Windows path is reduced to the file's name.
func TestUploadFormLimits(t *testing.T) {
	read := func(file, mapping []byte, name string) (uploadForm, error) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(file)
		mf, _ := mw.CreateFormFile("mapping", "m.yaml")
		mf.Write(mapping)
		mw.Close()
		req := httptest.NewRequest(http.MethodPost, "/admin/import", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return readUploadForm(req, 100)
	}
	if f, err := read(make([]byte, 100), nil, `C:\导出\医院.csv`); err != nil || f.name != "医院.csv" || len(f.data) != 100 {
		t.Fatalf("at the cap: %q %d %v", f.name, len(f.data), err)
	}
	if _, err := read(make([]byte, 101), nil, "a.csv"); !errors.Is(err, errTooLarge) {
		t.Fatalf("over the cap: %v", err)
	}
	if _, err := read(nil, make([]byte, maxMappingBytes+1), "a.csv"); !errors.Is(err, errMappingTooLarge) {
		t.Fatalf("mapping over its cap: %v", err)
	}
}
