package config

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// document mirrors Config for decoding: the global sections decode in one
// pass, and each [[stream]] table stays a toml.Primitive that decodes on its
// own, so that its errors can name its index. A test keeps it in step with
// Config.
type document struct {
	Log      Log              `toml:"log"`
	HTTP     HTTP             `toml:"http"`
	WebRTC   WebRTC           `toml:"webrtc"`
	Ingest   Ingest           `toml:"ingest"`
	Streams  []toml.Primitive `toml:"stream"`
	Debug    Debug            `toml:"debug"`
	Senders  Senders          `toml:"senders"`
	Webhooks []Webhook        `toml:"webhook"`
	Turn     Turn             `toml:"turn"`
}

// decode reads text strictly into cfg, over the values cfg already holds.
// A syntax error stops it, as do values of the wrong type (it returns them
// all as err). Unknown keys, and values refused before defaults could hide
// them, do not stop it: it returns them apart, so that Parse can report
// them together with the problems Validate finds.
func decode(text string, cfg *Config) (unknown []error, err error) {
	doc := document{Log: cfg.Log, HTTP: cfg.HTTP, WebRTC: cfg.WebRTC, Ingest: cfg.Ingest, Senders: cfg.Senders,
		Turn: cfg.Turn}
	md, err := toml.Decode(text, &doc)
	if err != nil {
		// toml returns empty metadata when the text does not parse at all.
		if len(md.Keys()) == 0 {
			return nil, syntaxError(err)
		}
		return nil, decodeError(md, err, -1)
	}
	cfg.Log, cfg.HTTP, cfg.WebRTC, cfg.Ingest = doc.Log, doc.HTTP, doc.WebRTC, doc.Ingest
	cfg.Debug = doc.Debug
	cfg.Senders, cfg.Webhooks = doc.Senders, doc.Webhooks
	cfg.Turn = doc.Turn
	cfg.Streams = make([]Stream, len(doc.Streams))
	errs, invalid, failed := decodeStreams(md, doc.Streams, cfg.Streams)
	if len(errs) > maxDecodeErrors {
		return nil, errors.Join(errs...)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		unknown = unknownKeys(text, undecoded, failed)
	}
	if len(errs) > 0 {
		return nil, errors.Join(append(errs, unknown...)...)
	}
	return append(unknown, invalid...), nil
}

// maxDecodeErrors caps the type errors reported for the streams: each costs
// toml a pass over the whole text, and the first few are what an operator
// fixes first.
const maxDecodeErrors = 20

// decodeStreams decodes each [[stream]] table on its own, so that an error
// names its index. It returns the type errors, the values that decoded but
// are refused before defaults could hide them (max_viewers = 0, see
// explicitZero; a bitrate of 0, see Transcode.explicitZeros), and the
// "stream[i]" paths that failed; past maxDecodeErrors it stops, with one
// more error saying so.
func decodeStreams(md toml.MetaData, prims []toml.Primitive, streams []Stream) (errs, invalid []error, failed map[string]bool) {
	failed = make(map[string]bool)
	for i, p := range prims {
		key := fmt.Sprintf("stream[%d]", i)
		if len(errs) == maxDecodeErrors {
			errs = append(errs, &FieldError{Key: key, Err: ErrType,
				Msg: "this and the later streams were not checked; fix the errors above first"})
			break
		}
		unset := streams[i].Transcode.markUnset()
		if err := md.PrimitiveDecode(p, &streams[i]); err != nil {
			errs = append(errs, decodeError(md, err, i))
			failed[key] = true
		} else if e := explicitZero(md, p, key); e != nil {
			invalid = append(invalid, e)
		}
		invalid = append(invalid, streams[i].Transcode.explicitZeros(unset, key+".transcode")...)
	}
	return errs, invalid, failed
}

// explicitZero refuses max_viewers = 0 written in the file: Stream's zero
// value means "not set" to FillDefaults, which would quietly turn the 0
// into the default of 100 instead of refusing it as out of range.
func explicitZero(md toml.MetaData, p toml.Primitive, key string) error {
	var set struct {
		MaxViewers *int `toml:"max_viewers"`
	}
	if md.PrimitiveDecode(p, &set) != nil || set.MaxViewers == nil || *set.MaxViewers != 0 {
		return nil
	}
	return &FieldError{Key: key + ".max_viewers", Err: ErrInvalid,
		Msg: fmt.Sprintf("must be from 1 to %d (got 0)", maxViewersCap)}
}

// syntaxError turns a TOML parse error into a *FieldError with its line and
// column. It leaves out the quoted source line toml can print, which might
// hold a secret.
func syntaxError(err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return &FieldError{Msg: strings.TrimPrefix(err.Error(), "toml: "), Err: ErrSyntax}
	}
	return &FieldError{Line: pe.Position.Line, Column: pe.Position.Col, Msg: pe.Message, Err: ErrSyntax}
}

// lastKeyRE matches the errors toml formats itself for a value of the wrong
// type: `toml: line 5 (last key "http.listen"): incompatible types: …`.
var lastKeyRE = regexp.MustCompile(`(?s)^toml: (?:line (\d+) )?\(last key ("(?:[^"\\]|\\.)*")\): (.*)$`)

// decodeError turns an error from decoding a value into a *FieldError whose
// key carries the stream index (stream is -1 outside the streams). toml
// records one position per unindexed key path, the last one it saw, so a
// position is kept only when that key occurs once in the file.
func decodeError(md toml.MetaData, err error, stream int) error {
	fe := &FieldError{Err: ErrType}
	var pe toml.ParseError
	if errors.As(err, &pe) {
		fe.Key, fe.Msg = pe.LastKey, pe.Message
		fe.Line, fe.Column = pe.Position.Line, pe.Position.Col
	} else if m := lastKeyRE.FindStringSubmatch(err.Error()); m != nil {
		fe.Line, _ = strconv.Atoi(m[1])
		fe.Key, _ = strconv.Unquote(m[2])
		fe.Msg = m[3]
	} else {
		fe.Msg = strings.TrimPrefix(err.Error(), "toml: ")
	}
	if occurrences(md, fe.Key) != 1 {
		fe.Line, fe.Column = 0, 0
	}
	if fe.Key == "stream" {
		fe.Msg = "must be an array of tables: write [[stream]], not [stream]"
	}
	fe.Key = indexStreamKey(fe.Key, stream)
	return fe
}

// occurrences counts how often the unindexed key path appears in the file.
func occurrences(md toml.MetaData, key string) int {
	n := 0
	for _, k := range md.Keys() {
		if k.String() == key {
			n++
		}
	}
	return n
}

// indexStreamKey rewrites "stream.video.codec" as "stream[i].video.codec".
func indexStreamKey(key string, stream int) string {
	if stream < 0 {
		return key
	}
	if key != "stream" && !strings.HasPrefix(key, "stream.") {
		return key
	}
	return fmt.Sprintf("stream[%d]%s", stream, strings.TrimPrefix(key, "stream"))
}

// unknownKeys reports each key toml left undecoded, once per place it occurs
// and with array indexes, which it finds in a generic decoding of text. Keys
// under an unknown table are covered by the table's own error; keys of a
// stream that failed to decode are not reported, as they may be known keys
// the decoder never reached.
func unknownKeys(text string, undecoded []toml.Key, failed map[string]bool) []error {
	var tree map[string]any
	if _, err := toml.Decode(text, &tree); err != nil {
		return []error{&FieldError{Msg: err.Error(), Err: ErrSyntax}}
	}
	isUndecoded := make(map[string]bool, len(undecoded))
	for _, k := range undecoded {
		isUndecoded[k.String()] = true
	}
	var errs []error
	expanded := make(map[string]bool)
	for _, k := range undecoded {
		name := k.String()
		if expanded[name] || parentUndecoded(k, isUndecoded) {
			continue
		}
		expanded[name] = true
		for _, path := range indexedPaths(tree, k) {
			if !failed[streamOf(path)] {
				errs = append(errs, &FieldError{Key: path, Msg: unknownKeyMsg(k), Err: ErrUnknownKey})
			}
		}
	}
	return errs
}

func parentUndecoded(k toml.Key, isUndecoded map[string]bool) bool {
	for n := len(k) - 1; n > 0; n-- {
		if isUndecoded[k[:n].String()] {
			return true
		}
	}
	return false
}

// streamOf returns the "stream[i]" a key path is under, or "".
func streamOf(path string) string {
	if !strings.HasPrefix(path, "stream[") {
		return ""
	}
	end := strings.IndexByte(path, ']')
	return path[:end+1]
}

// indexedPaths expands an unindexed key path such as stream.video.codek into
// the paths where it occurs in the document, such as stream[1].video.codek.
func indexedPaths(tree map[string]any, key toml.Key) []string {
	var out []string
	var walk func(node any, depth int, prefix string)
	walk = func(node any, depth int, prefix string) {
		if depth == len(key) {
			out = append(out, prefix)
			return
		}
		switch n := node.(type) {
		case map[string]any:
			child, ok := n[key[depth]]
			if !ok {
				return
			}
			seg := toml.Key{key[depth]}.String()
			if prefix != "" {
				seg = prefix + "." + seg
			}
			walk(child, depth+1, seg)
		case []map[string]any:
			for i, m := range n {
				walk(m, depth, fmt.Sprintf("%s[%d]", prefix, i))
			}
		case []any:
			for i, m := range n {
				walk(m, depth, fmt.Sprintf("%s[%d]", prefix, i))
			}
		}
	}
	walk(tree, 0, "")
	if len(out) == 0 {
		out = append(out, key.String())
	}
	return out
}
