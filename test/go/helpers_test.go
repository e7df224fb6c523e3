package conformance

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

const protobuf = "application/vnd.kubernetes.protobuf"

// restConfig reads $KUBECONFIG; the test is skipped without it (it runs from test/auth/client-go.test.ts).
func restConfig(t *testing.T) *rest.Config {
	t.Helper()
	path := os.Getenv("KUBECONFIG")
	if path == "" {
		t.Skip("KUBECONFIG not set: run through test/auth/client-go.test.ts")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatalf("kubeconfig: %v", err)
	}
	cfg.Timeout = 20 * time.Second
	cfg.QPS = 200
	cfg.Burst = 400
	return cfg
}

// typedClient builds a clientset speaking contentType (protobuf like kube components, or JSON).
func typedClient(t *testing.T, cfg *rest.Config, contentType string) *kubernetes.Clientset {
	t.Helper()
	c := rest.CopyConfig(cfg)
	c.ContentType = contentType
	if contentType == protobuf {
		c.AcceptContentTypes = protobuf + ",application/json"
	}
	cs, err := kubernetes.NewForConfig(c)
	if err != nil {
		t.Fatalf("clientset: %v", err)
	}
	return cs
}

// eventually polls cond every 50 ms until it returns nil or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		if err = cond(); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not true within %s: %v", what, timeout, err)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1_000_000_000)
}
