package scan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Component is one thing an SBOM lists: a dependency the company ships or
// runs, with the license it is offered under.
type Component struct {
	Ref     string `json:"ref,omitempty"` // the SBOM's own id for it: CycloneDX bom-ref, SPDX SPDXID
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	PURL    string `json:"purl,omitempty"` // package URL, when the SBOM gives one
	// License is the SPDX license expression the component is offered
	// under, as the SBOM states it; "" when it states none.
	License string `json:"license"`
	// Detected says the license is what the SBOM's tool found in the
	// component's files (CycloneDX evidence), not what it declares.
	Detected bool `json:"detected,omitempty"`
	// Pointer is where the component is in the SBOM (a JSON pointer), so a
	// report can be traced back to the line that said it.
	Pointer string `json:"pointer"`
}

// SBOM is a parsed software bill of materials.
type SBOM struct {
	Format      string // "CycloneDX" or "SPDX"
	SpecVersion string // "1.4" … "1.6", or "SPDX-2.3"
	Components  []Component
}

// ErrSBOM is wrapped by every refusal of ReadSBOM.
var ErrSBOM = errors.New("not a CycloneDX 1.4–1.6 or SPDX 2.3 JSON SBOM")

// SBOMError says what in an SBOM could not be read, and where.
type SBOMError struct {
	Pointer string // JSON pointer; "" for the document as a whole
	Detail  string
}

func (e *SBOMError) Error() string {
	if e.Pointer == "" {
		return "scan: " + ErrSBOM.Error() + ": " + e.Detail
	}
	return "scan: " + ErrSBOM.Error() + ": " + e.Pointer + ": " + e.Detail
}

func (e *SBOMError) Unwrap() error { return ErrSBOM }

// MaxSBOMBytes bounds the SBOMs ReadSBOM reads (64 MiB holds several
// hundred thousand components).
const MaxSBOMBytes = 64 << 20

// ReadSBOM reads a CycloneDX (1.4 to 1.6) or SPDX (2.3) SBOM in JSON, as
// syft, cyclonedx-gomod, Trivy and the SPDX tools write them, telling the
// two apart by their own markers (bomFormat, spdxVersion).
//
// CycloneDX: every component, nested ones included, with its licenses (or,
// where it declares none, the licenses its evidence shows a tool detected,
// marked Detected): an "expression" is taken as it is; several license entries all apply (they
// are joined with AND, the reading that never understates an obligation);
// a license named but not identified ("name" without "id") is kept as a
// LicenseRef- so it surfaces as a license ppl has no terms for. The
// metadata component is the product itself and is not listed.
//
// SPDX: every package but those the document describes (the product
// itself), with licenseConcluded, or licenseDeclared where the concluded
// license is NOASSERTION or absent; NONE and NOASSERTION leave License "".
func ReadSBOM(data []byte) (*SBOM, error) {
	if len(data) > MaxSBOMBytes {
		return nil, &SBOMError{Detail: fmt.Sprintf("%d bytes, more than the %d read", len(data), MaxSBOMBytes)}
	}
	// One pass over the bytes: both formats' members are read together.
	var doc struct {
		BOMFormat   string         `json:"bomFormat"`
		SpecVersion string         `json:"specVersion"`
		SPDXVersion string         `json:"spdxVersion"`
		Components  []cdxComponent `json:"components"`
		spdxDocument
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, &SBOMError{Detail: jsonDetail(data, err)}
	}
	switch {
	case doc.BOMFormat == "CycloneDX":
		switch doc.SpecVersion {
		case "1.4", "1.5", "1.6":
		default:
			return nil, &SBOMError{Pointer: "/specVersion", Detail: fmt.Sprintf("CycloneDX %q: 1.4, 1.5 and 1.6 are read", doc.SpecVersion)}
		}
		return readCycloneDX(doc.Components, doc.SpecVersion)
	case doc.SPDXVersion != "":
		if doc.SPDXVersion != "SPDX-2.3" {
			return nil, &SBOMError{Pointer: "/spdxVersion", Detail: fmt.Sprintf("%q: SPDX-2.3 is read", doc.SPDXVersion)}
		}
		return readSPDX(&doc.spdxDocument)
	}
	return nil, &SBOMError{Detail: `neither "bomFormat": "CycloneDX" nor "spdxVersion" is present`}
}

type cdxComponent struct {
	Ref      string       `json:"bom-ref"`
	Name     string       `json:"name"`
	Version  string       `json:"version"`
	PURL     string       `json:"purl"`
	Licenses []cdxLicense `json:"licenses"`
	Evidence *struct {
		Licenses []cdxLicense `json:"licenses"`
	} `json:"evidence"`
	Components []cdxComponent `json:"components"`
}

type cdxLicense struct {
	License *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"license"`
	Expression string `json:"expression"`
}

func readCycloneDX(components []cdxComponent, version string) (*SBOM, error) {
	out := &SBOM{Format: "CycloneDX", SpecVersion: version, Components: make([]Component, 0, len(components))}
	var walk func(cs []cdxComponent, ptr string) error
	walk = func(cs []cdxComponent, ptr string) error {
		for i, c := range cs {
			p := fmt.Sprintf("%s/%d", ptr, i)
			expr, err := cdxExpression(c.Licenses, p+"/licenses")
			if err != nil {
				return err
			}
			detected := false
			if expr == "" && c.Evidence != nil && len(c.Evidence.Licenses) > 0 {
				if expr, err = cdxExpression(c.Evidence.Licenses, p+"/evidence/licenses"); err != nil {
					return err
				}
				detected = true
			}
			if c.Name == "" {
				return &SBOMError{Pointer: p + "/name", Detail: "a component needs a name"}
			}
			out.Components = append(out.Components, Component{Ref: c.Ref, Name: c.Name, Version: c.Version, PURL: c.PURL, License: expr, Detected: detected, Pointer: p})
			if err := walk(c.Components, p+"/components"); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(components, "/components"); err != nil {
		return nil, err
	}
	return out, nil
}

// cdxExpression joins a component's license entries into one expression.
func cdxExpression(ls []cdxLicense, ptr string) (string, error) {
	var parts []string
	for i, l := range ls {
		p := fmt.Sprintf("%s/%d", ptr, i)
		switch {
		case l.Expression != "" && l.License != nil:
			return "", &SBOMError{Pointer: p, Detail: "an entry is a license or an expression, not both"}
		case l.Expression != "":
			parts = append(parts, l.Expression)
		case l.License != nil && l.License.ID != "":
			parts = append(parts, l.License.ID)
		case l.License != nil && l.License.Name != "":
			parts = append(parts, "LicenseRef-"+refName(l.License.Name))
		default:
			return "", &SBOMError{Pointer: p, Detail: "a license entry needs an id, a name or an expression"}
		}
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	for i, p := range parts {
		parts[i] = "(" + p + ")"
	}
	return strings.Join(parts, " AND "), nil
}

// refName turns a free-text license name into a LicenseRef- idstring
// (letters, digits, "." and "-").
func refName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

type spdxDocument struct {
	DocumentDescribes []string `json:"documentDescribes"`
	Packages          []struct {
		SPDXID           string `json:"SPDXID"`
		Name             string `json:"name"`
		VersionInfo      string `json:"versionInfo"`
		LicenseConcluded string `json:"licenseConcluded"`
		LicenseDeclared  string `json:"licenseDeclared"`
		ExternalRefs     []struct {
			Type    string `json:"referenceType"`
			Locator string `json:"referenceLocator"`
		} `json:"externalRefs"`
	} `json:"packages"`
	Relationships []struct {
		Element string `json:"spdxElementId"`
		Type    string `json:"relationshipType"`
		Related string `json:"relatedSpdxElement"`
	} `json:"relationships"`
}

func readSPDX(doc *spdxDocument) (*SBOM, error) {
	described := map[string]bool{}
	for _, d := range doc.DocumentDescribes {
		described[d] = true
	}
	for _, r := range doc.Relationships {
		if r.Element == "SPDXRef-DOCUMENT" && r.Type == "DESCRIBES" {
			described[r.Related] = true
		}
	}
	out := &SBOM{Format: "SPDX", SpecVersion: "SPDX-2.3"}
	for i, p := range doc.Packages {
		ptr := fmt.Sprintf("/packages/%d", i)
		if p.Name == "" || p.SPDXID == "" {
			return nil, &SBOMError{Pointer: ptr, Detail: "a package needs a name and an SPDXID"}
		}
		if described[p.SPDXID] {
			continue
		}
		lic := spdxLicense(p.LicenseConcluded)
		if lic == "" {
			lic = spdxLicense(p.LicenseDeclared)
		}
		c := Component{Ref: p.SPDXID, Name: p.Name, Version: p.VersionInfo, License: lic, Pointer: ptr}
		for _, r := range p.ExternalRefs {
			if r.Type == "purl" {
				c.PURL = r.Locator
				break
			}
		}
		out.Components = append(out.Components, c)
	}
	return out, nil
}

// spdxLicense is an SPDX license field's expression, or "" for the
// values that state no license.
func spdxLicense(v string) string {
	switch strings.TrimSpace(v) {
	case "", "NOASSERTION", "NONE":
		return ""
	}
	return strings.TrimSpace(v)
}

// jsonDetail names where encoding/json stopped, as a line and column.
func jsonDetail(data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
		if te.Field != "" {
			return fmt.Sprintf("line %d: %s must be %s, not %s", lineOf(data, off), te.Field, te.Type, te.Value)
		}
	}
	if off < 0 {
		return err.Error()
	}
	return fmt.Sprintf("line %d: %v", lineOf(data, off), err)
}

func lineOf(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}
