package acctest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// CloudWatchQuery calls one CloudWatch action through the query protocol
// (form-encoded POST, Version 2010-08-01), signed with the test config's
// credentials. Tests use it for the few alarm calls they need (create an
// alarm, set its state, delete it) instead of the CloudWatch SDK client:
// current SDK releases speak only the RPCv2 CBOR protocol, which moto 5.2.1
// does not serve, while AWS serves both.
func CloudWatchQuery(ctx context.Context, t testing.TB, action string, params url.Values) error {
	t.Helper()
	cfg := MustConfig(t)
	endpoint := fmt.Sprintf("https://monitoring.%s.amazonaws.com/", cfg.Region)
	if ep := Endpoint(); ep != "" {
		endpoint = strings.TrimSuffix(ep, "/") + "/"
	}
	form := url.Values{"Action": {action}, "Version": {"2010-08-01"}}
	for k, v := range params {
		form[k] = v
	}
	body := form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "monitoring", cfg.Region, time.Now()); err != nil {
		return fmt.Errorf("signing %s: %w", action, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: HTTP %d: %s", action, resp.StatusCode, strings.TrimSpace(string(out)))
	}
	return nil
}
