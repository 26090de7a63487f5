package systest

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	confPath   = "/etc/mediagate/mediagate.toml"
	adminToken = "systest-admin-token-0123456789"
	repoMount  = "/srv/mediagate" // where the container sees the repositories
)

// TestPackageInContainer installs mediagate from its signed repository
// into a booted Debian bookworm and operates it: the service reaches
// READY, the player page answers, a broken reload keeps it (and a viewer)
// up, a fixed one adds a stream, the journal carries structured fields,
// a broken file fails a start (ExecStartPre), a stalled media loop gets it
// restarted by the watchdog, an upgrade from the next version's repository
// keeps the edited config, TURN serves on port 443 through
// mediagate-turn.socket with the sandbox unchanged, and a purge removes the
// user, the state and the files.
func TestPackageInContainer(t *testing.T) {
	b := artifacts(t)
	c := bootContainer(t, b, dependencies(t, b.deb), func(root string) { addRepo(t, root, b) },
		"--bind-ro="+b.repoDir+":"+repoMount)
	s := &scenario{t: t, b: b, c: c, base: "http://" + netip.AddrPortFrom(c.addr, 8080).String()}
	s.install()
	s.verifyUnit()
	s.editConfig()
	v := s.watch("door")
	s.brokenReload(v)
	s.addStream(v)
	s.journalFields()
	s.brokenStart()
	s.watchdog()
	s.upgrade()
	s.turnOn443()
	s.purge()
}

// dependencies returns the packages deb depends on (first alternatives).
func dependencies(t *testing.T, deb string) []string {
	t.Helper()
	out, err := command("/", nil, "dpkg-deb", "-f", deb, "Depends")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, dep := range strings.Split(out, ",") {
		alt, _, _ := strings.Cut(dep, "|")
		name, _, _ := strings.Cut(strings.TrimSpace(alt), " ")
		if name != "" {
			names = append(names, name)
		}
	}
	return names
}

// sourcesLine is the apt line an operator writes to pin version.
func sourcesLine(version string) string {
	return fmt.Sprintf("deb [signed-by=/usr/share/keyrings/mediagate.gpg] file://%s/%s bookworm main\n",
		repoMount, version)
}

// addRepo makes the first version's repository the container's only apt
// source, with its key in /usr/share/keyrings, as docs/packaging.md says.
func addRepo(t *testing.T, root string, b *builds) {
	t.Helper()
	key, err := os.ReadFile(filepath.Join(b.repoDir, b.version, "mediagate.gpg"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "usr/share/keyrings/mediagate.gpg"), string(key))
	if err := os.Remove(filepath.Join(root, "etc/apt/sources.list")); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "etc/apt/sources.list.d/mediagate.list"), sourcesLine(b.version))
}

// writeFile writes an existing file in place (keeping its owner and mode)
// or creates it with mode 0644.
func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// scenario is one walk through the life of an installed mediagate.
type scenario struct {
	t       *testing.T
	b       *builds
	c       *container
	base    string // http://<container>:8080
	edited  string // the operator's config, as last written
	shipped int    // the streams of the shipped config
}

// conf writes the operator's config: edited plus extra TOML.
func (s *scenario) conf(extra string) {
	writeFile(s.t, filepath.Join(s.c.dir, confPath), s.edited+extra)
}

func (s *scenario) active() bool {
	p := s.c.show("mediagate", "ActiveState")
	return p["ActiveState"] == "active"
}

func (s *scenario) mainPID() string { return s.c.show("mediagate", "MainPID")["MainPID"] }

func (s *scenario) statusText() string { return s.c.show("mediagate", "StatusText")["StatusText"] }

func (s *scenario) install() {
	s.c.sh("apt-get update -q && apt-get install -y -q mediagate=" + s.b.version)
	s.c.waitFor("mediagate active (READY=1)", 30*time.Second, s.active)
	s.shipped = s.streams()
	s.checkConfOwner()
	if v := s.c.sh("mediagate version"); v != "mediagate "+s.b.version+"\n" {
		s.t.Errorf("mediagate version: %q", v)
	}
	if code := httpGet(s.base + "/"); code != 200 {
		s.t.Errorf("player page: %d", code)
	}
}

// statusStreams matches the start of mediagate's STATUS= line.
var statusStreams = regexp.MustCompile(`^(\d+) streams \(\d+ up\), \d+ viewers`)

// streams returns the number of streams STATUS= reports.
func (s *scenario) streams() int {
	st := s.statusText()
	m := statusStreams.FindStringSubmatch(st)
	if m == nil {
		s.t.Fatalf("StatusText %q does not start with the streams and viewers", st)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// checkConfOwner checks the config is root:mediagate 0640.
func (s *scenario) checkConfOwner() {
	if got := s.c.sh("stat -c '%U:%G %a' " + confPath); got != "root:mediagate 640\n" {
		s.t.Errorf("%s is %q, want root:mediagate 640", confPath, got)
	}
}

// verifyUnit runs systemd-analyze verify where the unit is installed.
func (s *scenario) verifyUnit() {
	out, err := s.c.exec(time.Minute, "systemd-analyze", "verify", "--man=no", "mediagate.service", "mediagate.socket",
		"mediagate-turn.socket")
	if err != nil || out != "" {
		s.t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// door is the stream the operator adds to the shipped config: the test's
// camera sends VP8 to it.
const door = `
[[stream]]
name = "door"
listen = "0.0.0.0:5008"
  [stream.video]
  codec = "vp8"
  payload_type = 97
`

// editConfig edits the shipped config as an operator would (an admin
// token, a stream of their own) and reloads.
func (s *scenario) editConfig() {
	b, err := os.ReadFile(filepath.Join(s.c.dir, confPath))
	if err != nil {
		s.t.Fatal(err)
	}
	text := string(b)
	if strings.Count(text, `admin_token = ""`) != 1 {
		s.t.Fatalf(`the shipped config has not exactly one admin_token = ""`)
	}
	text = strings.Replace(text, `admin_token = ""`, fmt.Sprintf("admin_token = %q", adminToken), 1)
	s.edited = "# Edited by the system test.\n" + text + door
	s.conf("")
	s.c.sh("systemctl reload mediagate")
	s.c.waitFor("door added", 10*time.Second, func() bool { return s.streams() == s.shipped+1 })
	if code := httpGet(s.base + "/view/door"); code != 200 {
		s.t.Errorf("player page of door: %d", code)
	}
	s.checkConfOwner()
}

// watch starts the camera of stream (if it has none yet) and a viewer.
func (s *scenario) watch(stream string) *viewer {
	port := map[string]uint16{"door": 5008, "cam2": 5006}[stream]
	vp8Camera(s.t, s.c.host, netip.AddrPortFrom(s.c.addr, port))
	v := watch(s.t, s.base, stream, "ve-"+s.c.name)
	v.receiving(s.t, 50)
	return v
}

// brokenReload reloads a file that does not parse, through systemctl
// (whose check fails the reload) and through a bare SIGHUP (which the
// service refuses, saying so in its status): the service and the viewer
// stay up.
func (s *scenario) brokenReload(v *viewer) {
	pid := s.mainPID()
	s.conf("\nbogus = [\n")
	if out, err := s.c.exec(time.Minute, "systemctl", "reload", "mediagate"); err == nil {
		s.t.Errorf("systemctl reload of a broken config succeeded:\n%s", out)
	}
	v.receiving(s.t, 40)
	s.c.sh("systemctl kill -s HUP --kill-whom=main mediagate")
	s.c.waitFor("STATUS= says the reload failed", 10*time.Second, func() bool {
		return strings.Contains(s.statusText(), "reload failed, running on the previous config")
	})
	v.receiving(s.t, 40)
	if !s.active() || s.mainPID() != pid {
		s.t.Errorf("the service restarted or stopped on a broken reload")
	}
}

// cam2 is the stream the fixed config adds.
const cam2 = `
[[stream]]
name = "cam2"
listen = "0.0.0.0:5006"
  [stream.video]
  codec = "vp8"
  payload_type = 97
`

// addStream reloads a fixed config that adds cam2; door's viewer stays.
func (s *scenario) addStream(v *viewer) {
	pid := s.mainPID()
	s.edited += cam2
	s.conf("")
	s.c.sh("systemctl reload mediagate")
	s.c.waitFor("cam2 added", 10*time.Second, func() bool {
		return s.streams() == s.shipped+2
	})
	if code := httpGet(s.base+"/api/v1/streams/cam2", "Authorization", "Bearer "+adminToken); code != 200 {
		s.t.Errorf("GET /api/v1/streams/cam2: %d", code)
	}
	v.receiving(s.t, 40)
	if s.mainPID() != pid {
		s.t.Error("the service restarted on reload")
	}
	s.watch("cam2")
}

// journalFields checks that log attributes are journal fields.
func (s *scenario) journalFields() {
	out := s.c.sh("journalctl -u mediagate -o json --no-pager STREAM=cam2")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		msg, _ := rec["MESSAGE"].(string)
		if strings.HasPrefix(msg, "stream configured") && rec["PRIORITY"] == "6" &&
			rec["SYSLOG_IDENTIFIER"] == "mediagate" && rec["LISTEN"] == "0.0.0.0:5006" {
			return
		}
	}
	s.t.Errorf("no journal record with STREAM=cam2, LISTEN and PRIORITY fields:\n%s", out)
}

// brokenStart restarts the service on a file that does not parse: the
// unit's ExecStartPre (check-config) fails the start and says why in the
// journal; the fixed file starts it again.
func (s *scenario) brokenStart() {
	s.conf("\nbogus = [\n")
	if out, err := s.c.exec(time.Minute, "systemctl", "restart", "mediagate"); err == nil {
		s.t.Errorf("systemctl restart on a broken config succeeded:\n%s", out)
	}
	if _, err := s.c.exec(time.Minute, "sh", "-c",
		`journalctl -u mediagate --no-pager -o cat | grep -qF "/etc/mediagate/mediagate.toml:"`); err != nil {
		s.t.Errorf("the journal does not carry check-config's problems:\n%s", s.c.journal())
	}
	s.conf("")
	s.c.sh("systemctl reset-failed mediagate; systemctl restart mediagate")
	s.c.waitFor("started on the fixed config", 30*time.Second, s.active)
}

// watchdog turns the fault-injection switch on by a reload, puts the
// operator's config back at once (the restart reads it), and waits for
// systemd's watchdog to restart the stalled service.
func (s *scenario) watchdog() {
	before := s.c.show("mediagate", "MainPID", "NRestarts")
	s.conf("\n[debug]\nstall_media_loop_after = \"1s\"\n")
	s.c.sh("systemctl reload mediagate")
	s.c.waitFor("fault injection on", 10*time.Second, func() bool {
		return strings.Contains(s.statusText(), "FAULT INJECTION ON")
	})
	s.conf("")
	start := time.Now()
	s.c.waitFor("restart by the watchdog", 90*time.Second, func() bool {
		p := s.c.show("mediagate", "MainPID", "NRestarts", "ActiveState")
		return p["NRestarts"] != before["NRestarts"] && p["MainPID"] != before["MainPID"] &&
			p["ActiveState"] == "active"
	})
	s.t.Logf("watchdog restarted the stalled service after %v", time.Since(start).Round(time.Second))
	if _, err := s.c.exec(time.Minute, "sh", "-c",
		`journalctl -u mediagate --no-pager -o cat | grep -qF "Failed with result 'watchdog'"`); err != nil {
		s.t.Errorf("the journal does not say the watchdog fired:\n%s", s.c.journal())
	}
	s.watch("door")
}

// upgrade moves to the next version's repository, as docs/packaging.md
// tells an operator to, and checks that the edited config survived.
func (s *scenario) upgrade() {
	pid := s.mainPID()
	writeFile(s.t, filepath.Join(s.c.dir, "etc/apt/sources.list.d/mediagate.list"), sourcesLine(s.b.upgrade))
	s.c.sh("apt-get update -q && apt-get install -y -q -o Dpkg::Options::=--force-confold mediagate=" + s.b.upgrade)
	if v := s.c.sh("mediagate version"); v != "mediagate "+s.b.upgrade+"\n" {
		s.t.Errorf("after the upgrade mediagate version says %q", v)
	}
	s.c.waitFor("restarted on upgrade", 30*time.Second, func() bool { return s.active() && s.mainPID() != pid })
	got, err := os.ReadFile(filepath.Join(s.c.dir, confPath))
	if err != nil || string(got) != s.edited {
		s.t.Errorf("the edited config did not survive the upgrade (%v)", err)
	}
	s.checkConfOwner()
	if code := httpGet(s.base+"/api/v1/streams/cam2", "Authorization", "Bearer "+adminToken); code != 200 {
		s.t.Errorf("after the upgrade GET /api/v1/streams/cam2: %d", code)
	}
}

// purge removes the package and checks that nothing of it is left.
func (s *scenario) purge() {
	s.c.sh("apt-get purge -y -q mediagate")
	for _, check := range []string{"getent passwd mediagate", "getent group mediagate",
		"dpkg-query -W -f='${Status}' mediagate | grep -q installed",
		"systemctl is-active -q mediagate"} {
		if out, err := s.c.exec(time.Minute, "sh", "-c", check); err == nil {
			s.t.Errorf("after purge, %q still succeeds: %s", check, out)
		}
	}
	for _, path := range []string{"/etc/mediagate", "/var/lib/mediagate", "/usr/bin/mediagate",
		"/lib/systemd/system/mediagate.service", "/lib/systemd/system/mediagate.socket",
		"/lib/systemd/system/mediagate-turn.socket", "/etc/systemd/system/sockets.target.wants/mediagate-turn.socket",
		"/usr/share/doc/mediagate", "/etc/systemd/system/multi-user.target.wants/mediagate.service"} {
		if _, err := os.Lstat(filepath.Join(s.c.dir, path)); !os.IsNotExist(err) {
			s.t.Errorf("after purge %s is still there (%v)", path, err)
		}
	}
}
