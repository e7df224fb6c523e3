package conformance

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	apiextclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"
)

// TestProtobufEveryServedKind drives every built-in resource the server lists in discovery
// (subresources included) through client-go's typed clients with their default content type,
// which is protobuf for built-in kinds: create/get/list/update/delete and a watch for each kind,
// status and scale updates, the create-only reviews and the read-only metrics. Every request body
// must go as protobuf and every response come back as protobuf; what is read back must carry what
// was written. A served resource without a case here fails the test. Run by
// test/protobuf/client-go-kinds.test.ts, which sets PROTOBUF_KINDS.
func TestProtobufEveryServedKind(t *testing.T) {
	if os.Getenv("PROTOBUF_KINDS") == "" {
		t.Skip("PROTOBUF_KINDS not set: run through test/protobuf/client-go-kinds.test.ts")
	}
	base := restConfig(t)
	if base.ContentType != "" || base.AcceptContentTypes != "" {
		t.Fatalf("the kubeconfig must leave client-go's default content type: got %q / %q", base.ContentType, base.AcceptContentTypes)
	}
	served := servedBuiltins(t, base)
	ns := newKindEnv(t, base).namespace(t, uniqueName("pb-kinds"))

	covered := &coverage{seen: map[string]bool{}}
	t.Run("kinds", func(t *testing.T) {
		for name, run := range kindCases() {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				e := newKindEnv(t, base)
				e.ns = ns
				e.covered = covered
				run(t, e)
				e.assertProtobufExchanges(t)
			})
		}
	})

	var missing []string
	for _, r := range served {
		if !covered.has(r) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		t.Errorf("served built-in resources not driven as protobuf (add a case in protobuf_cases_*_test.go): %s", strings.Join(missing, ", "))
	}
	t.Logf("drove %d served built-in resources (subresources included) as protobuf", len(served))
	fmt.Printf("PROTOBUF-KINDS-COVERED %d %s\n", len(served), strings.Join(served, ","))
}

// servedBuiltins is "<group>/<version>/<resource>[/<subresource>]" for every resource in discovery
// that no CustomResourceDefinition serves, sorted.
func servedBuiltins(t *testing.T, cfg *rest.Config) []string {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ax, err := apiextclient.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	crds, err := ax.ApiextensionsV1().CustomResourceDefinitions().List(ctxT(t), metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list CRDs: %v", err)
	}
	custom := map[string]bool{}
	for _, c := range crds.Items {
		custom[c.Spec.Group] = true
	}
	_, lists, err := cs.Discovery().ServerGroupsAndResources()
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	var out []string
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			t.Fatal(err)
		}
		if custom[gv.Group] {
			continue
		}
		for _, r := range l.APIResources {
			out = append(out, resourceKey(gv.Group, gv.Version, r.Name))
		}
	}
	sort.Strings(out)
	if len(out) < 40 {
		t.Fatalf("discovery lists only %d built-in resources: %v", len(out), out)
	}
	return out
}

// resourceKey names a resource as the coverage check does: "apps/v1/deployments/scale", "core/v1/pods".
func resourceKey(group, version, resource string) string {
	if group == "" {
		group = "core"
	}
	return group + "/" + version + "/" + resource
}

type coverage struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (c *coverage) add(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen[key] = true
}

func (c *coverage) has(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seen[key]
}

// kindEnv is one case's clients (typed, apiextensions, metrics), all recording their exchanges.
type kindEnv struct {
	ns      string
	cfg     *rest.Config
	cs      *kubernetes.Clientset
	ax      *apiextclient.Clientset
	mx      *metricsclient.Clientset
	rec     *recorder
	covered *coverage
}

func newKindEnv(t *testing.T, base *rest.Config) *kindEnv {
	t.Helper()
	cfg := rest.CopyConfig(base)
	rec := &recorder{}
	cfg.Wrap(rec.wrap)
	e := &kindEnv{cfg: cfg, rec: rec, covered: &coverage{seen: map[string]bool{}}}
	var err error
	if e.cs, err = kubernetes.NewForConfig(cfg); err != nil {
		t.Fatal(err)
	}
	if e.ax, err = apiextclient.NewForConfig(cfg); err != nil {
		t.Fatal(err)
	}
	if e.mx, err = metricsclient.NewForConfig(cfg); err != nil {
		t.Fatal(err)
	}
	return e
}

// namespace creates the namespace the namespaced cases share, removed at the end.
func (e *kindEnv) namespace(t *testing.T, name string) string {
	t.Helper()
	if _, err := e.cs.CoreV1().Namespaces().Create(ctxT(t), nsObject(name), metav1.CreateOptions{}); err != nil {
		t.Fatalf("namespace: %v", err)
	}
	t.Cleanup(func() { _ = e.cs.CoreV1().Namespaces().Delete(ctxT(t), name, metav1.DeleteOptions{}) })
	return name
}

// meta is the ObjectMeta of a case's object: a unique name, the shared namespace when namespaced,
// and a label the case's list and watch select on.
func (e *kindEnv) meta(prefix string, namespaced bool) metav1.ObjectMeta {
	name := uniqueName(prefix)
	m := metav1.ObjectMeta{
		Name:        name,
		Labels:      map[string]string{"pb-case": name, "app.kubernetes.io/part-of": "protobuf-kinds"},
		Annotations: map[string]string{"example.invalid/note": "round-trips as protobuf ✓"},
	}
	if namespaced {
		m.Namespace = e.ns
	}
	return m
}
