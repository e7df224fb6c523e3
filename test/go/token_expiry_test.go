package conformance

import (
	"fmt"
	"os"
	"strings"
	"testing"

	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// clockLine asks the harness running this test (test/auth/client-go.test.ts) to move the embedded
// API server's clock forward; the server lives in that process, so this is the only way in.
const clockLine = "CONFORMANCE-ADVANCE-CLOCK-SECONDS"

// TestTokenExpiry checks through TokenReview that a 10-minute token stops authenticating once the
// server clock passes its expiry (plus kube's 60 s leeway).
func TestTokenExpiry(t *testing.T) {
	cfg := restConfig(t)
	if os.Getenv("CONFORMANCE_CLOCK_CONTROL") != "stdout" {
		t.Skip("needs the harness to move the server clock (CONFORMANCE_CLOCK_CONTROL=stdout)")
	}
	ctx := ctxT(t)
	cs := typedClient(t, cfg, protobuf)
	ns := makeNamespace(t, cfg, "go-exp")
	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "short"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	seconds := int64(600)
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, "short", &authnv1.TokenRequest{Spec: authnv1.TokenRequestSpec{ExpirationSeconds: &seconds}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !review(t, cs, tr.Status.Token).Status.Authenticated {
		t.Fatal("fresh token not authenticated")
	}
	fmt.Printf("%s 700\n", clockLine)
	eventually(t, 15e9, "token expired", func() error {
		r := review(t, cs, tr.Status.Token)
		if r.Status.Authenticated || !strings.Contains(r.Status.Error, "expired") {
			return fmt.Errorf("status %+v", r.Status)
		}
		return nil
	})
}
