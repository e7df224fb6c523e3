package conformance

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// A small AgenticSession CRD in a test-only group, so the test does not depend on the platform's CRD.
const crdGroup = "conformance.ambient-harness.dev"

var sessionGVR = schema.GroupVersionResource{Group: crdGroup, Version: "v1alpha1", Resource: "agenticsessions"}
var sessionGVK = schema.GroupVersionKind{Group: crdGroup, Version: "v1alpha1", Kind: "AgenticSession"}

func ensureCRD(t *testing.T, cfg *rest.Config) {
	t.Helper()
	ctx := ctxT(t)
	// client-go's default for CRDs: protobuf bodies both ways.
	ax, err := apiextclient.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	preserve := true
	crd := &apiextv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "agenticsessions." + crdGroup},
		Spec: apiextv1.CustomResourceDefinitionSpec{
			Group: crdGroup,
			Scope: apiextv1.NamespaceScoped,
			Names: apiextv1.CustomResourceDefinitionNames{Plural: "agenticsessions", Singular: "agenticsession", Kind: "AgenticSession", ListKind: "AgenticSessionList"},
			Versions: []apiextv1.CustomResourceDefinitionVersion{{
				Name: "v1alpha1", Served: true, Storage: true,
				Subresources: &apiextv1.CustomResourceSubresources{Status: &apiextv1.CustomResourceSubresourceStatus{}},
				Schema: &apiextv1.CustomResourceValidation{OpenAPIV3Schema: &apiextv1.JSONSchemaProps{
					Type: "object",
					Properties: map[string]apiextv1.JSONSchemaProps{
						"spec":   {Type: "object", Properties: map[string]apiextv1.JSONSchemaProps{"prompt": {Type: "string"}}},
						"status": {Type: "object", XPreserveUnknownFields: &preserve},
					},
				}},
			}},
		},
	}
	if _, err := ax.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, crd, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create CRD: %v", err)
	}
	eventually(t, 15*time.Second, "CRD established", func() error {
		got, err := ax.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, crd.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, c := range got.Status.Conditions {
			if c.Type == apiextv1.Established && c.Status == apiextv1.ConditionTrue {
				return nil
			}
		}
		return fmt.Errorf("conditions %+v", got.Status.Conditions)
	})
}

func session(ns, name, prompt string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]interface{}{"spec": map[string]interface{}{"prompt": prompt}}}
	u.SetGroupVersionKind(sessionGVK)
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

func makeNamespace(t *testing.T, cfg *rest.Config, prefix string) string {
	ns := uniqueName(prefix)
	cs := typedClient(t, cfg, "application/json")
	if _, err := cs.CoreV1().Namespaces().Create(ctxT(t), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	return ns
}

// TestDynamicClient does CRUD and a status update on AgenticSessions with the dynamic client.
func TestDynamicClient(t *testing.T) {
	cfg := restConfig(t)
	ensureCRD(t, cfg)
	ns := makeNamespace(t, cfg, "go-dyn")
	ctx := ctxT(t)
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res := dc.Resource(sessionGVR).Namespace(ns)
	created, err := res.Create(ctx, session(ns, "s1", "hello"), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if created.GetUID() == "" || created.GetResourceVersion() == "" {
		t.Fatalf("create returned no uid/rv")
	}
	if _, err := res.Create(ctx, session(ns, "s1", "again"), metav1.CreateOptions{}); !apierrors.IsAlreadyExists(err) {
		t.Fatalf("duplicate: want AlreadyExists, got %v", err)
	}
	_ = unstructured.SetNestedField(created.Object, "Running", "status", "phase")
	if _, err := res.UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update status: %v", err)
	}
	got, err := res.Get(ctx, "s1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if phase, _, _ := unstructured.NestedString(got.Object, "status", "phase"); phase != "Running" {
		t.Fatalf("status.phase = %q", phase)
	}
	list, err := res.List(ctx, metav1.ListOptions{})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("list: %v %d", err, len(list.Items))
	}
	if err := res.Delete(ctx, "s1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := res.Get(ctx, "s1", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("after delete: want NotFound, got %v", err)
	}
}

// TestControllerRuntimeManager runs a manager with leader election on a Lease and an informer on
// AgenticSessions; every created session must be reconciled.
func TestControllerRuntimeManager(t *testing.T) {
	cfg := restConfig(t)
	ensureCRD(t, cfg)
	ns := makeNamespace(t, cfg, "go-mgr")
	log.SetLogger(zap.New(zap.UseDevMode(false), zap.Level(zapLevelError())))

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Metrics:                 metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress:  "0",
		LeaderElection:          true,
		LeaderElectionID:        "conformance-lock",
		LeaderElectionNamespace: ns,
		LeaseDuration:           durationPtr(4 * time.Second),
		RenewDeadline:           durationPtr(3 * time.Second),
		RetryPeriod:             durationPtr(500 * time.Millisecond),
	})
	if err != nil {
		t.Fatalf("manager: %v", err)
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	watched := &unstructured.Unstructured{}
	watched.SetGroupVersionKind(sessionGVK)
	err = ctrl.NewControllerManagedBy(mgr).Named("sessions").For(watched).Complete(reconcile.Func(func(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
		obj := &unstructured.Unstructured{}
		obj.SetGroupVersionKind(sessionGVK)
		if err := mgr.GetClient().Get(ctx, req.NamespacedName, obj); err != nil {
			return reconcile.Result{}, client.IgnoreNotFound(err)
		}
		mu.Lock()
		seen[req.Name] = true
		mu.Unlock()
		return reconcile.Result{}, nil
	}))
	if err != nil {
		t.Fatalf("controller: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
	})

	select {
	case <-mgr.Elected():
	case <-time.After(20 * time.Second):
		t.Fatal("not elected within 20 s")
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const n = 5
	for i := 0; i < n; i++ {
		if _, err := dc.Resource(sessionGVR).Namespace(ns).Create(ctxT(t), session(ns, fmt.Sprintf("s%d", i), "p"), metav1.CreateOptions{}); err != nil {
			t.Fatalf("create s%d: %v", i, err)
		}
	}
	eventually(t, 20*time.Second, "all sessions reconciled", func() error {
		mu.Lock()
		defer mu.Unlock()
		if len(seen) < n {
			return fmt.Errorf("reconciled %d of %d", len(seen), n)
		}
		return nil
	})
	lease, err := typedClient(t, cfg, protobuf).CoordinationV1().Leases(ns).Get(ctxT(t), "conformance-lock", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("lease: %v", err)
	}
	if lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity == "" {
		t.Fatalf("lease has no holder")
	}
}

func durationPtr(d time.Duration) *time.Duration { return &d }
