package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"mediagate.dev/mediagate/gateway/stream"
)

// wantCam1 and wantCam2 are the fixture's streams as the API must show them.
var (
	wantCam1 = map[string]any{
		"name": "cam1", "up": true, "viewers": 2.0,
		"listen": testListen, "viewer_token_set": true,
		"tracks": []any{
			map[string]any{"kind": "video", "codec": "video/H264", "payload_type": 96.0, "clock_rate": 90000.0, "subscribers": 1.0},
			map[string]any{"kind": "audio", "codec": "audio/opus", "payload_type": 111.0, "clock_rate": 48000.0, "subscribers": 0.0},
		},
	}
	wantCam2 = map[string]any{
		"name": "cam2", "up": false, "viewers": 0.0,
		"tracks": []any{
			map[string]any{"kind": "video", "codec": "video/VP8", "payload_type": 97.0, "clock_rate": 90000.0, "subscribers": 0.0},
		},
	}
)

func TestStreamsList(t *testing.T) {
	f := newFixture(t, nil)
	resp, body := f.get(t, "/api/v1/streams", testAdminToken)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var got []any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	if want := []any{wantCam1, wantCam2}; !reflect.DeepEqual(got, want) {
		t.Errorf("streams\n got %v\nwant %v", got, want)
	}
}

func TestStreamsListEmpty(t *testing.T) {
	for name, hub := range map[string]*stream.Hub{"no hub": nil, "empty hub": stream.NewHub()} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, func(h *Handler) { h.Hub = hub })
			if _, body := f.get(t, "/api/v1/streams", testAdminToken); body != "[]\n" {
				t.Errorf("body %q, want an empty array", body)
			}
		})
	}
}

func TestStreamByName(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		path   string
		status int
		want   map[string]any
	}{
		{"/api/v1/streams/cam1", http.StatusOK, wantCam1},
		{"/api/v1/streams/cam2", http.StatusOK, wantCam2},
		{"/api/v1/streams/cam3", http.StatusNotFound, nil},
		{"/api/v1/streams/cam%201", http.StatusNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp := authRequest(t, f, tt.path, "Bearer "+testAdminToken)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.want == nil {
				checkProblem(t, resp, tt.status)
				return
			}
			var got map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("stream\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}
