package transcoder_test

import (
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// cgoLeaves are the only packages that may import "C" (DESIGN.md: only
// transcoder's leaf packages call C).
var cgoLeaves = map[string]bool{
	"transcoder/avdec":   true,
	"transcoder/vpxenc":  true,
	"transcoder/x264enc": true,
	"transcoder/opusenc": true,
}

// moduleRoot finds the directory holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// goFile is one Go file of the module: its package directory (relative to
// the module root), its imports and whether it is built only with cgo.
type goFile struct {
	path, dir string
	imports   []string
	cgoOnly   bool
}

func moduleFiles(t *testing.T, root string) []goFile {
	t.Helper()
	var files []goFile
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(name, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		gf := goFile{path: path, dir: filepath.ToSlash(rel)}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			gf.imports = append(gf.imports, p)
		}
		for _, c := range f.Comments {
			for _, l := range c.List {
				if expr, err := constraint.Parse(l.Text); err == nil {
					gf.cgoOnly = !expr.Eval(func(tag string) bool { return tag != "cgo" })
				}
			}
		}
		files = append(files, gf)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestOnlyLeavesImportC parses every Go file of the module: only the cgo
// leaf packages import "C", and only in files built with cgo alone;
// transcoder never imports the gateway.
func TestOnlyLeavesImportC(t *testing.T) {
	root := moduleRoot(t)
	files := moduleFiles(t, root)
	if len(files) < 50 {
		t.Fatalf("only %d Go files found under %s", len(files), root)
	}
	seen := map[string]bool{}
	for _, f := range files {
		for _, imp := range f.imports {
			switch {
			case imp == "C" && !cgoLeaves[f.dir]:
				t.Errorf("%s imports \"C\"; only %v may", f.path, keys(cgoLeaves))
			case imp == "C" && !f.cgoOnly:
				t.Errorf("%s imports \"C\" without //go:build cgo", f.path)
			case imp == "C":
				seen[f.dir] = true
			case strings.HasPrefix(f.dir, "transcoder") && strings.HasPrefix(imp, "mediagate.dev/mediagate/gateway"):
				t.Errorf("%s imports %s: transcoder never imports the gateway", f.path, imp)
			}
		}
	}
	for leaf := range cgoLeaves {
		if !seen[leaf] {
			t.Errorf("%s imports \"C\" nowhere", leaf)
		}
	}
}

// TestBuildsWithoutCgo builds the transcoder and the gateway with
// CGO_ENABLED=0: transcoding then reports itself unavailable.
func TestBuildsWithoutCgo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module: run without -short")
	}
	goTool := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		if goTool, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command")
		}
	}
	cmd := exec.Command(goTool, "build", "-o", os.DevNull, "./...")
	cmd.Dir = moduleRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build ./...: %v\n%s", err, out)
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
