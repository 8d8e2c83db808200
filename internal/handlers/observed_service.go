package handlers

import (
	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// The cluster composite's observed fingerprints, until its handlers move to
// Observe (the engine then fingerprints observed props itself).

// ExpectedObserved returns the AttrObserved value a child whose live
// configuration matches c (resolved: no references left) would read back.
// ok is false for kinds without a fingerprint.
func ExpectedObserved(c composite.Child) (string, bool) {
	switch p := c.Props.(type) {
	case *composite.ListenerProps:
		o := listenerObserved{Port: p.Port, Protocol: p.Protocol, CertificateARN: p.CertificateARN, Action: normalizeAction(p.DefaultAction)}
		if p.Protocol == "HTTPS" {
			o.SSLPolicy = p.SSLPolicy
		}
		return composite.HashJSON(o), true
	}
	return "", false
}
