package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// ManifestName is the file that describes a bundle.
const ManifestName = "bundle.yaml"

// maxBundleFiles bounds the entries of one bundle.yaml.
const maxBundleFiles = 100

// BundleFile is one entry of bundle.yaml: a file of the company's export,
// the kind it holds and the mapping that describes it (both paths relative
// to the bundle).
type BundleFile struct {
	Kind    string `yaml:"kind" json:"kind"`
	File    string `yaml:"file" json:"file"`
	Mapping string `yaml:"mapping" json:"mapping,omitempty"`
}

// Manifest is bundle.yaml:
//
//	files:
//	  - {kind: hospitals, file: 机构.csv, mapping: mappings/hospitals.yaml}
//	  - {kind: users, file: 人员.xlsx, mapping: mappings/users.yaml}
//	create_missing: [products]
type Manifest struct {
	Files []BundleFile `yaml:"files" json:"files"`
	// CreateMissing is Options.CreateMissing for this bundle.
	CreateMissing []string `yaml:"create_missing" json:"create_missing,omitempty"`
}

// Bundle is a company's whole export, ready to be imported (or dry-run) in
// one transaction in load order, each file through its mapping.
type Bundle struct {
	Manifest Manifest
	// Digest identifies an uploaded bundle's bytes (sha256, hex; "" for a
	// directory), so a page can commit exactly what it dry-ran.
	Digest string
	inputs []Input
}

// Inputs are the bundle's files in load order.
func (b *Bundle) Inputs() []Input { return slices.Clone(b.inputs) }

// OpenBundleDir opens the bundle in dir (dir/bundle.yaml).
func (im *Importer) OpenBundleDir(dir string) (*Bundle, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return im.OpenBundle(os.DirFS(dir))
}

// OpenBundle reads bundle.yaml of fsys and checks every entry: known kind,
// the file exists, the mapping loads. Every problem is reported at once.
func (im *Importer) OpenBundle(fsys fs.FS) (*Bundle, error) {
	data, err := fs.ReadFile(fsys, ManifestName)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	if len(data) > maxMappingBytes {
		return nil, fmt.Errorf("bundle: %s larger than %d bytes", ManifestName, maxMappingBytes)
	}
	var man Manifest
	dec := yaml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	dec.KnownFields(true)
	if err := dec.Decode(&man); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("bundle: %s: %w", ManifestName, err)
	}
	if len(man.Files) == 0 {
		return nil, fmt.Errorf("bundle: %s lists no files (files: [{kind, file, mapping}])", ManifestName)
	}
	if len(man.Files) > maxBundleFiles {
		return nil, fmt.Errorf("bundle: %s lists %d files; at most %d", ManifestName, len(man.Files), maxBundleFiles)
	}
	b := &Bundle{Manifest: man}
	var problems []string
	for _, c := range man.CreateMissing {
		if c != "products" {
			problems = append(problems, fmt.Sprintf("create_missing: %q (only products can be created)", c))
		}
	}
	for i, f := range man.Files {
		in, err := im.bundleInput(fsys, f)
		if err != nil {
			problems = append(problems, fmt.Sprintf("files[%d] (%s %s): %v", i, f.Kind, f.File, err))
			continue
		}
		b.inputs = append(b.inputs, in)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("bundle: %s", strings.Join(problems, "; "))
	}
	slices.SortStableFunc(b.inputs, func(x, y Input) int { return kindOrder(x.kind) - kindOrder(y.kind) })
	return b, nil
}

func (im *Importer) bundleInput(fsys fs.FS, f BundleFile) (Input, error) {
	k, err := lookupKind(f.Kind)
	if err != nil {
		return Input{}, err
	}
	file, err := bundlePath(f.File)
	if err != nil {
		return Input{}, err
	}
	var m *Mapping
	if f.Mapping != "" {
		mp, err := bundlePath(f.Mapping)
		if err != nil {
			return Input{}, err
		}
		mf, err := fsys.Open(mp)
		if err != nil {
			return Input{}, fmt.Errorf("mapping: %w", err)
		}
		m, err = parseMapping(mf, k.name(), im.kinds)
		mf.Close()
		if err != nil {
			return Input{}, fmt.Errorf("%s: %w", f.Mapping, err)
		}
	}
	return OpenFS(fsys, file, k.name(), m)
}

// bundlePath checks a path of bundle.yaml: relative, inside the bundle.
func bundlePath(p string) (string, error) {
	p = strings.TrimSpace(strings.ReplaceAll(p, "\\", "/"))
	if p == "" {
		return "", errors.New("no file named")
	}
	clean := path.Clean(strings.TrimPrefix(p, "./"))
	if path.IsAbs(p) || !fs.ValidPath(clean) || clean == "." {
		return "", fmt.Errorf("path %q must be relative to the bundle and stay inside it", p)
	}
	return clean, nil
}

// ImportBundle imports every file of b in load order in one transaction: a
// dry run checks the whole bundle together (doctors are checked against the
// bundle's own hospitals), and without Partial one bad row in any file
// writes nothing. Manifest.CreateMissing adds to opts.CreateMissing.
func (im *Importer) ImportBundle(ctx context.Context, b *Bundle, opts Options) (Result, error) {
	for _, c := range b.Manifest.CreateMissing {
		if !slices.Contains(opts.CreateMissing, c) {
			opts.CreateMissing = append(opts.CreateMissing, c)
		}
	}
	return im.run(ctx, b.inputs, opts)
}
