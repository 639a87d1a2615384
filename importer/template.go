package importer

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Template formats.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

// WriteTemplate writes an empty import file for kind with the expected
// Chinese headers (required ones marked "*", which the reader ignores). The
// .xlsx template has a second sheet 说明 describing every column (and, for
// signals, every known kind); the .csv one is UTF-8 with a BOM so Excel
// shows the Chinese headers.
func WriteTemplate(w io.Writer, kind, format string) error {
	return writeTemplate(w, kind, format, builtinKinds)
}

// WriteTemplate is the package's WriteTemplate listing this importer's
// signal kinds (the configured rules' kinds too).
func (im *Importer) WriteTemplate(w io.Writer, kind, format string) error {
	return writeTemplate(w, kind, format, im.kinds.list)
}

func writeTemplate(w io.Writer, kind, format string, kinds []SignalKind) error {
	k, err := lookupKind(kind)
	if err != nil {
		return err
	}
	headers := make([]string, len(k.fields()))
	for i, f := range k.fields() {
		headers[i] = f.Header
		if f.Required {
			headers[i] += "*"
		}
	}
	switch strings.ToLower(format) {
	case FormatCSV:
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		if err := cw.Write(headers); err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	case FormatXLSX:
		return writeXLSXTemplate(w, k, headers, kinds)
	}
	return fmt.Errorf("unknown template format %q: use xlsx or csv", format)
}

func writeXLSXTemplate(w io.Writer, k kind, headers []string, kinds []SignalKind) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := k.name()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	if err := f.SetSheetRow(sheet, "A1", &headers); err != nil {
		return err
	}
	style, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(headers), 1)
	if err := f.SetCellStyle(sheet, "A1", last, style); err != nil {
		return err
	}
	if _, err := f.NewSheet("说明"); err != nil {
		return err
	}
	rows := [][]any{{"列名 (column)", "字段 (field)", "必填 (required)", "其他可用列名 (aliases)", "说明 (help)"}}
	for _, fd := range k.fields() {
		req := "否"
		if fd.Required {
			req = "是"
		}
		rows = append(rows, []any{fd.Header, fd.Name, req, strings.Join(fd.Aliases, " / "), fd.Help})
	}
	if k.name() == "signals" {
		rows = append(rows, []any{}, []any{"信号类型 (kind)", "类别 (class)", "中文名称 (label)", "用于 (used by)"})
		for _, sk := range kinds {
			rows = append(rows, []any{sk.Name, sk.Class, sk.Label, sk.UsedBy})
		}
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("说明", cell, &r); err != nil {
			return err
		}
	}
	return f.Write(w)
}
