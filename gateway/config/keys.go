package config

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// maxSuggestLen bounds the keys worth a suggestion (and the edit-distance
// work a hostile file can cause).
const maxSuggestLen = 64

// unknownKeyMsg says a key is unknown and, when a known key at the same level
// is within two edits of it, suggests that one.
func unknownKeyMsg(k toml.Key) string {
	known := knownKeys(k[:len(k)-1])
	last := k[len(k)-1]
	if len(known) == 0 || len(last) > maxSuggestLen {
		return "unknown key"
	}
	best, bestDist := "", 3
	for _, name := range known {
		if d := editDistance(strings.ToLower(last), name); d < bestDist {
			best, bestDist = name, d
		}
	}
	if best == "" {
		return "unknown key; known keys here: " + strings.Join(known, ", ")
	}
	return "unknown key; did you mean " + strconv.Quote(best) + "?"
}

// knownKeys lists the TOML keys the schema accepts inside the table at
// parent (the top level when parent is empty), or nil when parent is not a
// table of the schema.
func knownKeys(parent toml.Key) []string {
	t := reflect.TypeFor[Config]()
	for _, part := range parent {
		f, ok := fieldByTag(t, part)
		if !ok {
			return nil
		}
		t = tableType(f.Type)
		if t == nil {
			return nil
		}
	}
	keys := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		if tag := tomlTag(t.Field(i)); tag != "" {
			keys = append(keys, tag)
		}
	}
	return keys
}

// tableType returns the struct type a TOML table (or array of tables)
// decodes into, or nil for a plain value.
func tableType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	return t
}

func fieldByTag(t reflect.Type, tag string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); tomlTag(f) == tag {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func tomlTag(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	return name
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
