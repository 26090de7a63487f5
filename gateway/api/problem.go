package api

import (
	"encoding/json"
	"net/http"
)

// problem is an RFC 9457 problem details object (§3.1). Type stays
// "about:blank", so Title is the HTTP status phrase (§4.2.1).
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// writeProblem answers with status and an application/problem+json body
// whose detail is err's message.
func writeProblem(w http.ResponseWriter, status int, err error) {
	p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status}
	if err != nil {
		p.Detail = err.Error()
	}
	body, _ := json.Marshal(p) // a struct of strings and an int always marshals
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// writeJSON answers 200 with v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	writeJSONStatus(w, http.StatusOK, v)
}

// writeJSONStatus is writeJSON with another status than 200.
func writeJSONStatus(w http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(append(body, '\n'))
}
