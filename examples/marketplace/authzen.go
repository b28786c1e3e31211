package main

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/peerproduction/ppl/internal/canonjson"
	"github.com/peerproduction/ppl/policy"
)

// The OpenID AuthZEN 1.0 Access Evaluation API: a gateway asks whether
// subject (an entity) may perform action ("use") on resource (a commons).
// decision is true only for a free outcome: pay needs a grant, which the
// gateway checks with /v1/grants/verify. The decision with its reasons and
// path to free is in context.ppl.
type authzenRequest struct {
	Subject  authzenEntity `json:"subject"`
	Action   authzenAction `json:"action"`
	Resource authzenEntity `json:"resource"`
	Context  *struct{}     `json:"context,omitempty"`
}

type authzenEntity struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type authzenAction struct {
	Name       string `json:"name"`
	Properties *struct {
		Commercial bool   `json:"commercial"`
		Purpose    string `json:"purpose,omitempty"`
		Seats      int64  `json:"seats,omitempty"`
		FirstUse   string `json:"firstUse,omitempty"`
	} `json:"properties,omitempty"`
}

func (s *server) postEvaluation(w http.ResponseWriter, r *http.Request) {
	var q authzenRequest
	if !readJSON(w, r, &q) {
		return
	}
	switch {
	case q.Subject.Type != "entity" || q.Subject.ID == "":
		badField(w, "/subject", `subject must be {"type":"entity","id":…}`)
		return
	case q.Action.Name != "use":
		badField(w, "/action/name", fmt.Sprintf("action %q: only \"use\" is evaluated", q.Action.Name))
		return
	case q.Resource.Type != "commons" || q.Resource.ID == "":
		badField(w, "/resource", `resource must be {"type":"commons","id":…}`)
		return
	case q.Resource.ID != s.commons.ID:
		writeProblem(w, problemDoc{Title: "unknown commons", Status: http.StatusNotFound, Pointer: "/resource/id",
			Detail: fmt.Sprintf("this marketplace serves commons %q, not %q", s.commons.ID, q.Resource.ID)})
		return
	}
	quote := quoteJSON{Entity: q.Subject.ID}
	if p := q.Action.Properties; p != nil {
		quote.Commercial, quote.Purpose, quote.Seats, quote.FirstUse = p.Commercial, p.Purpose, p.Seats, p.FirstUse
	}
	d, ok := s.decide(r.Context(), w, &quote, s.now())
	if !ok {
		return
	}
	dj, err := d.MarshalJSON()
	if err != nil {
		problem(w, http.StatusInternalServerError, "rendering failed", err.Error())
		return
	}
	b, err := canonjson.Marshal(map[string]any{"decision": d.Outcome() == policy.Free,
		"context": map[string]any{"outcome": string(d.Outcome()), "reason": d.Explain(), "ppl": json.RawMessage(dj)}})
	if err != nil {
		problem(w, http.StatusInternalServerError, "rendering failed", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, b)
}
