package systest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// upgradeSuffix makes the version of the second build, the upgrade target.
const upgradeSuffix = "+upgrade1"

// signingKey is the throwaway key the tests sign their repositories with.
const signingKey = "mediagate system test <systest@mediagate.invalid>"

// workDir holds everything one run builds; TestMain removes it.
var workDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mediagate-systest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	if fixture.gnupg != "" {
		// gpg started an agent for the throwaway keyring; end it.
		cmd := exec.Command("gpgconf", "--kill", "all")
		cmd.Env = append(os.Environ(), "GNUPGHOME="+fixture.gnupg)
		_ = cmd.Run()
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// builds is what the tests share: two versions of the package, each in its
// own signed repository, built once per run by make.
type builds struct {
	root      string // the source tree
	version   string // from packaging/deb/changelog
	upgrade   string // version + upgradeSuffix
	debDir    string // mediagate_<version>_amd64.deb for both versions
	repoDir   string // <version>/ for both versions
	gnupg     string // GNUPGHOME of the signing key
	deb, deb2 string
	err       error
}

var (
	fixture     builds
	fixtureOnce sync.Once
)

// needRoot skips the test unless it runs as root and without -short.
func needRoot(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("system test: run without -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("system test: needs root (debootstrap, mounts, systemd-nspawn); make test runs it as root in CI")
	}
}

// artifacts builds the packages and repositories on first use.
func artifacts(t *testing.T) *builds {
	t.Helper()
	needRoot(t)
	fixtureOnce.Do(func() { fixture.err = fixture.build() })
	if fixture.err != nil {
		t.Fatalf("building the packages: %v", fixture.err)
	}
	return &fixture
}

func (b *builds) build() error {
	root, err := filepath.Abs("../..")
	if err != nil {
		return err
	}
	b.root, b.debDir, b.repoDir = root, filepath.Join(workDir, "deb"), filepath.Join(workDir, "repo")
	out, err := command(root, nil, "dpkg-parsechangelog", "-l", "packaging/deb/changelog", "-S", "Version")
	if err != nil {
		return err
	}
	b.version = strings.TrimSpace(out)
	b.upgrade = b.version + upgradeSuffix
	if err := b.makeKey(); err != nil {
		return err
	}
	env := []string{"GNUPGHOME=" + b.gnupg, "MEDIAGATE_SIGNING_KEY=" + signingKey}
	for _, v := range []string{b.version, b.upgrade} {
		if _, err := command(root, env, "make", "--no-print-directory", "repo", "VERSION="+v,
			"DEB_DIR="+b.debDir, "REPO_DIR="+b.repoDir); err != nil {
			return err
		}
	}
	b.deb = filepath.Join(b.debDir, "mediagate_"+b.version+"_amd64.deb")
	b.deb2 = filepath.Join(b.debDir, "mediagate_"+b.upgrade+"_amd64.deb")
	return nil
}

// makeKey creates the throwaway signing key.
func (b *builds) makeKey() error {
	b.gnupg = filepath.Join(workDir, "gnupg")
	if err := os.Mkdir(b.gnupg, 0o700); err != nil {
		return err
	}
	_, err := command(workDir, []string{"GNUPGHOME=" + b.gnupg}, "gpg", "--batch", "--passphrase", "",
		"--quick-gen-key", signingKey, "ed25519", "sign", "never")
	return err
}

// commandTimeout bounds every command the tests run.
const commandTimeout = 10 * time.Minute

// command runs name in dir with extra environment and returns its
// standard output; the error carries its standard error. The environment
// of an enclosing make (its jobserver) is not passed on.
func command(dir string, env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "MAKEFLAGS" && k != "MFLAGS" && k != "MAKELEVEL" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %w\n%s%s", name, strings.Join(args, " "), err,
			tail(stdout.String()), tail(stderr.String()))
	}
	return stdout.String(), nil
}

// tail returns the last lines of s, for error messages.
func tail(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n") + "\n"
}
