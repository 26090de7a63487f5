package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const whepStream = "name = \"edge\"\nsource = \"whep\"\nwhep_url = \"http://192.0.2.1:8080/whep/cam1\"\n"

func forwardTable(keys string) string { return "[[stream.forward]]\n" + keys + "\n" }

// TestValidateForwardWHEP: the [[stream.forward]] and whep_* keys, each
// problem named by its key path.
func TestValidateForwardWHEP(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "token")
	if err := os.WriteFile(good, []byte("secret-token-0123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte(strings.Repeat("x", 5000)), 0o600); err != nil {
		t.Fatal(err)
	}
	url := "url = \"http://192.0.2.9:7880/whip/v1\"\n"
	runCases(t, []tomlCase{
		{"forward ok", stream(cam1, h264+forwardTable(url+"token = \"t\"")), "", ""},
		{"forward token file ok", stream(cam1, h264+forwardTable(url+"token_file = \""+good+"\"")), "", ""},
		{"forward two", stream(cam1, h264+forwardTable(url)+forwardTable("url = \"https://sfu.example/whip\"")), "", ""},
		{"forward no url", stream(cam1, h264+forwardTable("token = \"t\"")), "stream[0].forward[0].url", "required"},
		{"forward ftp", stream(cam1, h264+forwardTable("url = \"ftp://x/whip\"")), "stream[0].forward[0].url", "http:// or https://"},
		{"forward user info", stream(cam1, h264+forwardTable("url = \"http://u:p@x/whip\"")), "stream[0].forward[0].url", "no user info"},
		{"forward same url", stream(cam1, h264+forwardTable(url)+forwardTable(url)), "stream[0].forward[1].url", "already the url of forward[0]"},
		{"forward token and file", stream(cam1, h264+forwardTable(url+"token = \"t\"\ntoken_file = \""+good+"\"")), "stream[0].forward[0].token_file", "not both"},
		{"forward missing file", stream(cam1, h264+forwardTable(url+"token_file = \"/nonexistent/tok\"")), "stream[0].forward[0].token_file", "cannot read"},
		{"forward empty file", stream(cam1, h264+forwardTable(url+"token_file = \""+empty+"\"")), "stream[0].forward[0].token_file", "one token"},
		{"forward big file", stream(cam1, h264+forwardTable(url+"token_file = \""+big+"\"")), "stream[0].forward[0].token_file", "larger than"},
		{"forward retry order", stream(cam1, h264+forwardTable(url+"retry_min = \"10s\"\nretry_max = \"1s\"")), "stream[0].forward[0].retry_max", "not be below"},
		{"forward redirects", stream(cam1, h264+forwardTable(url+"max_redirects = 50")), "stream[0].forward[0].max_redirects", "from 1 to 20"},
		{"forward unknown key", stream(cam1, h264+forwardTable(url+"bitrate = 5")), "stream[0].forward[0].bitrate", "unknown key"},
		{"whep ok", stream(whepStream, h264), "", ""},
		{"whep no url", stream("name = \"edge\"\nsource = \"whep\"", h264), "stream[0].whep_url", "required"},
		{"whep listen", stream(whepStream+"listen = \"127.0.0.1:5004\"", h264), "stream[0].listen", "applies only to source \"rtp\""},
		{"whep aac", stream(whepStream, "[stream.audio]\ncodec = \"aac\""), "stream[0].audio.codec", "for source \"whep\""},
		{"whep keys on rtp", stream(cam1+"whep_url = \"http://x/whep/a\"", h264), "stream[0].whep_url", "applies only to source \"whep\""},
		{"whep token and file", stream(whepStream+"whep_token = \"t\"\nwhep_token_file = \""+good+"\"", h264), "stream[0].whep_token_file", "not both"},
	})
}
