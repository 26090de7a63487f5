package doctest

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	page := strings.Join([]string{
		"# A page",
		"<!-- doctest: gateway=configs/mediagate.toml -->",
		"",
		"text",
		"<!-- doctest: run expect=\"HTTP/1.1 (204|200)\" retry=5s id=check -->",
		"",
		"```sh",
		"curl -si http://localhost:8080/",
		"```",
		"```sh",
		"not marked",
		"```",
		"<!-- doctest: file=x.toml -->",
		"```toml",
		"[http]",
		"```",
		"<!-- doctest: background ready=http://127.0.0.1:8080/ -->",
		"```sh",
		"sleep 100",
		"```",
		"<!-- doctest: stop -->",
		"<!-- doctest: rerun=check -->",
	}, "\n")
	steps, err := Parse([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	type got struct{ Kind, Lang, Body string }
	var kinds []got
	for _, s := range steps {
		kinds = append(kinds, got{s.Kind, s.Lang, s.Body})
	}
	want := []got{
		{"gateway", "", ""},
		{"run", "sh", "curl -si http://localhost:8080/\n"},
		{"file", "toml", "[http]\n"},
		{"background", "sh", "sleep 100\n"},
		{"stop", "", ""},
		{"rerun", "", ""},
	}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("steps %+v\nwant %+v", kinds, want)
	}
	if a := steps[1].Args; a["expect"] != "HTTP/1.1 (204|200)" || a["retry"] != "5s" || a["id"] != "check" || steps[1].Line != 5 {
		t.Errorf("args %v line %d", a, steps[1].Line)
	}
	if steps[0].Args["gateway"] != "configs/mediagate.toml" {
		t.Errorf("gateway args %v", steps[0].Args)
	}
}

func TestParseRefuses(t *testing.T) {
	for name, page := range map[string]string{
		"unknown key":      "<!-- doctest: runn -->\n```sh\nx\n```\n",
		"bad duration":     "<!-- doctest: run retry=5 -->\n```sh\nx\n```\n",
		"bad expression":   "<!-- doctest: run expect=( -->\n```sh\nx\n```\n",
		"no block":         "<!-- doctest: background -->\ntext\n",
		"unterminated":     "<!-- doctest: run -->\n```sh\nx\n",
		"at the end":       "<!-- doctest: file=x -->\n",
		"malformed marker": "<!-- doctest run -->\n```sh\nx\n```\n",
		"unbalanced quote": "<!-- doctest: run expect=\"x -->\n```sh\nx\n```\n",
	} {
		if _, err := Parse([]byte(page)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

// TestSession: variables and the directory a block leaves carry over to
// the next block, newshell starts afresh, a failing command fails its
// block, and a background block that died fails at stop.
func TestSession(t *testing.T) {
	dir, home := t.TempDir(), t.TempDir()
	r := &Runner{Dir: dir, Home: home, Log: t.Logf}
	defer r.Close()
	steps, err := Parse([]byte(strings.Join([]string{
		"<!-- doctest: run -->", "```sh", "mkdir -p sub && cd sub", "export A=1", "B='two words'", "```",
		"<!-- doctest: file=f.txt -->", "```", "hello", "```",
		"<!-- doctest: run expect=\"^1 two words .*/sub hello\\n$\" -->", "```sh", "echo $A $B $PWD $(cat f.txt)", "```",
		"<!-- doctest: run newshell expect=\"^-\\n$\" -->", "```sh", "echo ${B:--}", "```",
	}, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(t.Context(), steps); err != nil {
		t.Fatal(err)
	}
	for name, page := range map[string]string{
		"failing command": "<!-- doctest: run -->\n```sh\nfalse\necho after\n```\n",
		"timeout":         "<!-- doctest: run timeout=200ms -->\n```sh\nsleep 5\n```\n",
		"dead background": "<!-- doctest: background -->\n```sh\nexit 3\n```\n<!-- doctest: run -->\n```sh\nsleep 0.2\n```\n<!-- doctest: stop -->\n",
	} {
		steps, err := Parse([]byte(page))
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Run(t.Context(), steps); err == nil {
			t.Errorf("%s: passed", name)
		}
	}
}
