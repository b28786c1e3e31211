package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

var (
	apiOnce      sync.Once
	apiDoc       map[string]any
	apiCompiler  *jsonschema.Compiler
	apiSchemas   sync.Map // pointer → *jsonschema.Schema
	apiErr       error
	apiCompileMu sync.Mutex
)

func apiSchema(pointer string) (*jsonschema.Schema, error) {
	apiOnce.Do(func() {
		if apiErr = json.Unmarshal(openAPI, &apiDoc); apiErr != nil {
			return
		}
		apiCompiler = jsonschema.NewCompiler()
		apiCompiler.Draft = jsonschema.Draft2020
		apiCompiler.AssertFormat = true
		apiErr = apiCompiler.AddResource("file:///openapi.json", bytes.NewReader(openAPI))
	})
	if apiErr != nil {
		return nil, apiErr
	}
	if s, ok := apiSchemas.Load(pointer); ok {
		return s.(*jsonschema.Schema), nil
	}
	// A Compiler is not safe for concurrent use, and the servers under
	// test validate from many goroutines.
	apiCompileMu.Lock()
	defer apiCompileMu.Unlock()
	s, err := apiCompiler.Compile("file:///openapi.json#" + pointer)
	if err != nil {
		return nil, err
	}
	apiSchemas.Store(pointer, s)
	return s, nil
}

func esc(s string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(s) }

// validating wraps h so that every request a test makes and every answer
// is checked against the OpenAPI document: the operation exists, a request
// the server accepted has a body its schema admits, and the response's
// status, media type and body are documented.
func validating(t *testing.T, s *server, h http.Handler) http.Handler {
	mux := http.NewServeMux()
	for pattern := range s.routeTable() {
		mux.HandleFunc(pattern, func(http.ResponseWriter, *http.Request) {})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqBody, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
		if err := checkExchange(mux, r, reqBody, rec); err != nil {
			t.Errorf("OpenAPI: %s %s → %d: %v", r.Method, r.URL.Path, rec.Code, err)
		}
	})
}

func checkExchange(mux *http.ServeMux, r *http.Request, reqBody []byte, rec *httptest.ResponseRecorder) error {
	if _, err := apiSchema("/components/schemas/Problem"); err != nil {
		return err
	}
	_, pattern := mux.Handler(r)
	ctype, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	if pattern == "" { // unrouted: 404/405, a problem
		if ctype != "application/problem+json" {
			return fmt.Errorf("unrouted answer is %q", ctype)
		}
		return validate("/components/schemas/Problem", rec.Body.Bytes())
	}
	method, path, _ := strings.Cut(pattern, " ")
	method = strings.ToLower(method)
	op, _ := apiDoc["paths"].(map[string]any)[path].(map[string]any)[method].(map[string]any)
	if op == nil {
		return fmt.Errorf("operation %s %s is not documented", method, path)
	}
	base := "/paths/" + esc(path) + "/" + method
	if rec.Code < 300 && len(reqBody) > 0 {
		if err := validate(base+"/requestBody/content/application~1json/schema", reqBody); err != nil {
			return fmt.Errorf("accepted request body: %w", err)
		}
	}
	code := strconv.Itoa(rec.Code)
	responses := op["responses"].(map[string]any)
	resp, ok := responses[code].(map[string]any)
	ptr := base + "/responses/" + code
	if !ok {
		if rec.Code < 400 {
			return fmt.Errorf("status %s is not documented", code)
		}
		resp, ptr = responses["default"].(map[string]any), "/components/responses/Problem"
	}
	if ref, ok := resp["$ref"].(string); ok {
		ptr = strings.TrimPrefix(ref, "#")
		resp = apiDoc["components"].(map[string]any)["responses"].(map[string]any)["Problem"].(map[string]any)
	}
	content, _ := resp["content"].(map[string]any)
	if _, ok := content[ctype]; !ok {
		return fmt.Errorf("media type %q is not documented for %s", ctype, code)
	}
	if strings.HasSuffix(ctype, "json") {
		return validate(ptr+"/content/"+esc(ctype)+"/schema", rec.Body.Bytes())
	}
	return nil
}

func validate(pointer string, body []byte) error {
	s, err := apiSchema(pointer)
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.Validate(v)
}

// TestOpenAPIRoutes: the document and the server have the same operations.
func TestOpenAPIRoutes(t *testing.T) {
	e := start(t, filepath.Join(t.TempDir(), "ppl.db"), nil)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(e.do(t, "GET", "/openapi.json", "", "", nil, http.StatusOK), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for m := range ops {
			documented[strings.ToUpper(m)+" "+path] = true
		}
	}
	for pattern := range e.s.routeTable() {
		if !documented[pattern] {
			t.Errorf("route %s is not documented", pattern)
		}
		delete(documented, pattern)
	}
	for op := range documented {
		t.Errorf("documented %s is not served", op)
	}
}
