package models

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"gorm.io/gorm"
)

// InspectSchema describes the schema of s's database as sorted lines, one
// fact each: a table, a column with its type, nullability and default, an
// index with its uniqueness and column order. The history table is left
// out, and so is column order (ADD COLUMN appends wherever the model put the
// field), so two databases with the same lines have the same schema.
func InspectSchema(ctx context.Context, s *Store) ([]string, error) {
	db := s.db.WithContext(ctx)
	var lines []string
	var err error
	switch s.driver {
	case "sqlite":
		lines, err = inspectSQLite(db)
	case "mysql":
		lines, err = inspectMySQL(db)
	default:
		err = fmt.Errorf("unknown driver %q", s.driver)
	}
	if err != nil {
		return nil, fmt.Errorf("inspect schema: %w", err)
	}
	sort.Strings(lines)
	return lines, nil
}

func inspectSQLite(db *gorm.DB) ([]string, error) {
	type object struct{ Type, Name, TblName, SQL string }
	var objects []object
	err := db.Raw(`SELECT type, name, tbl_name, COALESCE(sql, '') AS sql FROM sqlite_master
		WHERE name NOT LIKE 'sqlite_%' AND tbl_name <> ?`, migrationTable).Scan(&objects).Error
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, o := range objects {
		switch o.Type {
		case "table":
			line := "table " + o.Name
			if strings.Contains(strings.ToUpper(o.SQL), "AUTOINCREMENT") {
				line += " AUTOINCREMENT"
			}
			lines = append(lines, line)
			cols, err := sqliteColumns(db, o.Name)
			if err != nil {
				return nil, err
			}
			idx, err := sqliteIndexes(db, o.Name)
			if err != nil {
				return nil, err
			}
			lines = append(append(lines, cols...), idx...)
		case "view", "trigger":
			lines = append(lines, o.Type+" "+o.Name+" on "+o.TblName)
		}
	}
	return lines, nil
}

func sqliteColumns(db *gorm.DB, table string) ([]string, error) {
	type column struct {
		Name      string
		Type      string
		NotNull   int
		DfltValue sql.NullString
		PK        int
	}
	var cols []column
	if err := db.Raw("SELECT name, type, \"notnull\" AS not_null, dflt_value, pk FROM pragma_table_info(?)", table).Scan(&cols).Error; err != nil {
		return nil, err
	}
	out := make([]string, 0, len(cols))
	for _, c := range cols {
		line := fmt.Sprintf("%s.%s %s%s%s", table, c.Name, c.Type, nullness(c.NotNull == 1), defaultOf(c.DfltValue))
		if c.PK > 0 {
			line += fmt.Sprintf(" PRIMARY KEY #%d", c.PK)
		}
		out = append(out, line)
	}
	return out, nil
}

func sqliteIndexes(db *gorm.DB, table string) ([]string, error) {
	type index struct {
		Name    string
		Unique  int
		Origin  string
		Partial int
	}
	var idx []index
	if err := db.Raw(`SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, table).Scan(&idx).Error; err != nil {
		return nil, err
	}
	out := make([]string, 0, len(idx))
	for _, i := range idx {
		var cols []string
		if err := db.Raw("SELECT COALESCE(name, '<expr>') FROM pragma_index_info(?) ORDER BY seqno", i.Name).Scan(&cols).Error; err != nil {
			return nil, err
		}
		line := fmt.Sprintf("%s index %s%s (%s) origin=%s", table, i.Name, uniqueness(i.Unique == 1), strings.Join(cols, ", "), i.Origin)
		if i.Partial == 1 {
			line += " PARTIAL"
		}
		out = append(out, line)
	}
	return out, nil
}

func inspectMySQL(db *gorm.DB) ([]string, error) {
	type table struct{ TableName, Engine, TableCollation string }
	var tables []table
	err := db.Raw(`SELECT TABLE_NAME AS table_name, COALESCE(ENGINE, '') AS engine, COALESCE(TABLE_COLLATION, '') AS table_collation
		FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> ?`, migrationTable).Scan(&tables).Error
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, t := range tables {
		lines = append(lines, fmt.Sprintf("table %s ENGINE=%s COLLATE=%s", t.TableName, t.Engine, t.TableCollation))
	}
	type column struct {
		TableName, ColumnName, ColumnType, IsNullable, Extra, CollationName string
		ColumnDefault                                                       sql.NullString
	}
	var cols []column
	err = db.Raw(`SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, COLUMN_TYPE AS column_type,
			IS_NULLABLE AS is_nullable, EXTRA AS extra, COALESCE(COLLATION_NAME, '') AS collation_name, COLUMN_DEFAULT AS column_default
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> ?`, migrationTable).Scan(&cols).Error
	if err != nil {
		return nil, err
	}
	for _, c := range cols {
		line := fmt.Sprintf("%s.%s %s%s%s", c.TableName, c.ColumnName, c.ColumnType, nullness(c.IsNullable == "NO"), defaultOf(c.ColumnDefault))
		if c.Extra != "" {
			line += " " + c.Extra
		}
		if c.CollationName != "" {
			line += " COLLATE " + c.CollationName
		}
		lines = append(lines, line)
	}
	type part struct {
		TableName, IndexName, ColumnName string
		NonUnique                        int
		SubPart                          sql.NullInt64
	}
	var parts []part
	err = db.Raw(`SELECT TABLE_NAME AS table_name, INDEX_NAME AS index_name, COLUMN_NAME AS column_name, NON_UNIQUE AS non_unique, SUB_PART AS sub_part
		FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> ?
		ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`, migrationTable).Scan(&parts).Error
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(parts); {
		p := parts[i]
		var cols []string
		for ; i < len(parts) && parts[i].TableName == p.TableName && parts[i].IndexName == p.IndexName; i++ {
			col := parts[i].ColumnName
			if parts[i].SubPart.Valid {
				col += fmt.Sprintf("(%d)", parts[i].SubPart.Int64)
			}
			cols = append(cols, col)
		}
		lines = append(lines, fmt.Sprintf("%s index %s%s (%s)", p.TableName, p.IndexName, uniqueness(p.NonUnique == 0), strings.Join(cols, ", ")))
	}
	return lines, nil
}

func nullness(notNull bool) string {
	if notNull {
		return " NOT NULL"
	}
	return " NULL"
}

func uniqueness(unique bool) string {
	if unique {
		return " UNIQUE"
	}
	return ""
}

func defaultOf(v sql.NullString) string {
	if !v.Valid {
		return ""
	}
	return " DEFAULT " + v.String
}
