package importer

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// UploadLimits bound what the admin page accepts: the upload itself, the
// entries of a zipped bundle and what they inflate to, so a zip bomb is
// refused from the zip's directory before anything is inflated (and
// archive/zip refuses an entry that inflates beyond its declared size).
type UploadLimits struct {
	MaxBytes         int64
	MaxFiles         int
	MaxUnzippedBytes int64
}

// DefaultUploadLimits: 64 MiB uploaded, 200 entries, 1 GiB inflated.
func DefaultUploadLimits() UploadLimits {
	return UploadLimits{MaxBytes: 64 << 20, MaxFiles: 200, MaxUnzippedBytes: 1 << 30}
}

// OpenUpload turns an upload into a bundle: a .zip holding bundle.yaml (at
// its root or in one folder) with the files and mappings it names, or one
// .xlsx/.csv file of kind with an optional mapping (YAML bytes, nil = none).
// The bytes stay in memory; Digest identifies them.
func (im *Importer) OpenUpload(name string, data []byte, kind string, mapping []byte, lim UploadLimits) (*Bundle, error) {
	if lim.MaxBytes > 0 && int64(len(data)) > lim.MaxBytes {
		return nil, fmt.Errorf("upload of %d bytes is larger than %d bytes", len(data), lim.MaxBytes)
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if strings.EqualFold(path.Ext(name), ".zip") {
		fsys, err := openZip(data, lim)
		if err != nil {
			return nil, err
		}
		b, err := im.OpenBundle(fsys)
		if err != nil {
			return nil, err
		}
		b.Digest = digest
		return b, nil
	}
	k, err := lookupKind(kind)
	if err != nil {
		return nil, fmt.Errorf("a single file needs its kind: %w", err)
	}
	var m *Mapping
	if len(mapping) > 0 {
		if m, err = parseMapping(bytes.NewReader(mapping), k.name(), im.kinds); err != nil {
			return nil, err
		}
	}
	in, err := OpenBytes(name, data, k.name(), m)
	if err != nil {
		return nil, err
	}
	return &Bundle{Manifest: Manifest{Files: []BundleFile{{Kind: k.name(), File: name}}}, Digest: digest, inputs: []Input{in}}, nil
}

// openZip checks a zip's directory against lim and returns its files as an
// fs.FS rooted where bundle.yaml is. Names that are not UTF-8 (zips made by
// Chinese Windows store GBK names) are decoded as GB18030.
func openZip(data []byte, lim UploadLimits) (fs.FS, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("read zip: %w", err)
	}
	if lim.MaxFiles > 0 && len(zr.File) > lim.MaxFiles {
		return nil, fmt.Errorf("zip holds %d entries; at most %d", len(zr.File), lim.MaxFiles)
	}
	z := zipFS{files: map[string]*zip.File{}}
	var total uint64
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		if !f.Mode().IsRegular() {
			return nil, fmt.Errorf("zip entry %q is not a regular file", f.Name)
		}
		total += f.UncompressedSize64
		if lim.MaxUnzippedBytes > 0 && (f.UncompressedSize64 > uint64(lim.MaxUnzippedBytes) || total > uint64(lim.MaxUnzippedBytes)) {
			return nil, fmt.Errorf("zip inflates to more than %d bytes", lim.MaxUnzippedBytes)
		}
		name := f.Name
		if !utf8.ValidString(name) {
			if d, err := simplifiedchinese.GB18030.NewDecoder().String(name); err == nil {
				name = d
			}
		}
		name = path.Clean(strings.ReplaceAll(name, "\\", "/"))
		if strings.HasPrefix(name, "__MACOSX/") || path.Base(name) == ".DS_Store" {
			continue
		}
		if !fs.ValidPath(name) {
			return nil, fmt.Errorf("zip entry %q leaves the bundle", f.Name)
		}
		z.files[name] = f
	}
	if _, ok := z.files[ManifestName]; ok {
		return z, nil
	}
	var roots []string
	for name := range z.files {
		if path.Base(name) == ManifestName && strings.Count(name, "/") == 1 {
			roots = append(roots, path.Dir(name))
		}
	}
	if len(roots) != 1 {
		return nil, fmt.Errorf("zip holds no %s at its root or in one folder", ManifestName)
	}
	return fs.Sub(z, roots[0])
}

// zipFS serves the files of a checked zip by cleaned, decoded names.
type zipFS struct {
	files map[string]*zip.File
}

func (z zipFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, ok := z.files[name]
	if !ok {
		if z.isDir(name) {
			return &zipDir{name: name}, nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	return &zipFile{ReadCloser: rc, f: f, name: name}, nil
}

func (z zipFS) isDir(name string) bool {
	if name == "." {
		return true
	}
	for n := range z.files {
		if strings.HasPrefix(n, name+"/") {
			return true
		}
	}
	return false
}

type zipFile struct {
	io.ReadCloser
	f    *zip.File
	name string
}

func (f *zipFile) Stat() (fs.FileInfo, error) { return zipInfo{f.f.FileInfo(), path.Base(f.name)}, nil }

type zipInfo struct {
	fs.FileInfo
	name string
}

func (i zipInfo) Name() string { return i.name }

type zipDir struct{ name string }

func (d *zipDir) Stat() (fs.FileInfo, error) { return dirInfo{path.Base(d.name)}, nil }
func (d *zipDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}
func (d *zipDir) Close() error { return nil }

type dirInfo struct{ name string }

func (i dirInfo) Name() string       { return i.name }
func (i dirInfo) Size() int64        { return 0 }
func (i dirInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o555 }
func (i dirInfo) ModTime() time.Time { return time.Time{} }
func (i dirInfo) IsDir() bool        { return true }
func (i dirInfo) Sys() any           { return nil }
