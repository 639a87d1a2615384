package importer

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strings"
)

// The fast sheet reader: excelize's row iterator decodes every cell with
// encoding/xml's reflection (about 4 s of CPU for 800,000 cells on the
// project's machine, more than the whole import may take), so the rows of
// a standard workbook are read here with a byte scanner over the sheet part
// as it inflates. Anything it does not recognise (strict OOXML, a missing
// part) makes openSheet fail and the caller falls back to excelize, which
// also checks the workbook first; TestFastSheetMatchesExcelize reads the
// same workbooks both ways.

// errNotStandard means the fast reader does not handle this workbook.
var errNotStandard = errors.New("not a standard workbook")

const (
	relOfficeDoc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
	relSST       = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
	relWorksheet = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
)

type xRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

type xWorkbook struct {
	Sheets []struct {
		Name  string `xml:"name,attr"`
		State string `xml:"state,attr"`
		RID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
	} `xml:"sheets>sheet"`
}

// openSheet finds the sheet (by name, or the first visible one) of the
// workbook in zr and returns a reader of its rows.
func openSheet(zr *zip.Reader, sheet string) (func() ([]string, int, error), func() error, error) {
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[strings.TrimPrefix(f.Name, "/")] = f
	}
	readXML := func(name string, v any) error {
		f, ok := files[name]
		if !ok || f.UncompressedSize64 > 64<<20 {
			return errNotStandard
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		defer rc.Close()
		return xml.NewDecoder(rc).Decode(v)
	}
	var root xRels
	if err := readXML("_rels/.rels", &root); err != nil {
		return nil, nil, errNotStandard
	}
	wbPath := ""
	for _, r := range root.Rels {
		if r.Type == relOfficeDoc {
			wbPath = resolvePart("", r.Target)
		}
	}
	var wb xWorkbook
	var wbRels xRels
	if wbPath == "" || readXML(wbPath, &wb) != nil || readXML(path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels"), &wbRels) != nil {
		return nil, nil, errNotStandard
	}
	target := map[string]string{}
	sstPath := ""
	for _, r := range wbRels.Rels {
		switch r.Type {
		case relWorksheet:
			target[r.ID] = resolvePart(path.Dir(wbPath), r.Target)
		case relSST:
			sstPath = resolvePart(path.Dir(wbPath), r.Target)
		}
	}
	sheetPath := ""
	for _, s := range wb.Sheets {
		want := sheet != "" && strings.EqualFold(strings.TrimSpace(s.Name), strings.TrimSpace(sheet))
		if want || (sheet == "" && s.State != "hidden" && s.State != "veryHidden") {
			sheetPath = target[s.RID]
			break
		}
	}
	sf, ok := files[sheetPath]
	if sheetPath == "" || !ok {
		return nil, nil, errNotStandard
	}
	var sst []string
	if f, ok := files[sstPath]; ok && sstPath != "" {
		var err error
		if sst, err = readSST(f); err != nil {
			return nil, nil, errNotStandard
		}
	}
	rc, err := sf.Open()
	if err != nil {
		return nil, nil, err
	}
	sc := &sheetScanner{r: bufio.NewReaderSize(rc, 256<<10), sst: sst}
	return sc.next, rc.Close, nil
}

// resolvePart resolves a relationship target against the source's folder.
func resolvePart(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return path.Clean(path.Join(dir, target))
}

// readSST reads the shared strings: the text of each <si>, without phonetic
// runs (<rPh>).
func readSST(f *zip.File) ([]string, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	dec := xml.NewDecoder(bufio.NewReaderSize(rc, 64<<10))
	var out []string
	var b strings.Builder
	inSI, inT, phonetic := false, false, 0
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI = true
				b.Reset()
			case "t":
				inT = true
			case "rPh":
				phonetic++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				inSI = false
				out = append(out, b.String())
			case "t":
				inT = false
			case "rPh":
				phonetic--
			}
		case xml.CharData:
			if inSI && inT && phonetic == 0 {
				b.Write(t)
			}
		}
	}
}
