package api

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestJavaScriptParses runs `node --check` on every embedded script, so a
// syntax error fails here rather than in a viewer's browser.
func TestJavaScriptParses(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	scripts, err := fs.Glob(staticFS, "player/static/*.js")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no embedded scripts (%v)", err)
	}
	dir := t.TempDir()
	for _, name := range scripts {
		t.Run(filepath.Base(name), func(t *testing.T) {
			body, err := fs.ReadFile(staticFS, name)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, filepath.Base(name))
			if err := os.WriteFile(file, body, 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, node, "--check", file).CombinedOutput()
			if err != nil {
				t.Errorf("node --check %s: %v\n%s", name, err, strings.TrimSpace(string(out)))
			}
		})
	}
}
