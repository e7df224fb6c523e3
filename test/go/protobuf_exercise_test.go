package conformance

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/util/retry"
)

const protobufWatch = protobuf + ";stream=watch"

// exchange is one request as the client sent it and the server answered it.
type exchange struct {
	method, path, query, reqType, respType string
	status                                 int
}

type recorder struct {
	mu  sync.Mutex
	log []exchange
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (r *recorder) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		x := exchange{method: req.Method, path: req.URL.Path, query: req.URL.RawQuery, reqType: req.Header.Get("Content-Type")}
		if resp != nil {
			x.respType, x.status = resp.Header.Get("Content-Type"), resp.StatusCode
		}
		r.mu.Lock()
		r.log = append(r.log, x)
		r.mu.Unlock()
		return resp, err
	})
}

// assertProtobufExchanges: every body the case sent was protobuf, and every answer (objects, lists,
// Status errors, watch streams) came back as protobuf. Pod logs are text and are left out.
func (e *kindEnv) assertProtobufExchanges(t *testing.T) {
	t.Helper()
	e.rec.mu.Lock()
	defer e.rec.mu.Unlock()
	if len(e.rec.log) == 0 {
		t.Fatalf("no requests recorded")
	}
	for _, x := range e.rec.log {
		if strings.HasSuffix(x.path, "/log") {
			continue
		}
		if (x.method == "POST" || x.method == "PUT" || x.method == "DELETE") && x.reqType != protobuf {
			t.Errorf("%s %s sent Content-Type %q, want %s", x.method, x.path, x.reqType, protobuf)
		}
		want := protobuf
		if strings.Contains(x.query, "watch=true") {
			want = protobufWatch
		}
		if x.respType != want {
			t.Errorf("%s %s?%s answered %d with Content-Type %q, want %s", x.method, x.path, x.query, x.status, x.respType, want)
		}
	}
}

type object interface {
	runtime.Object
	metav1.Object
}

// crudClient is what every typed client of a stored kind offers (ConfigMapInterface, ...).
type crudClient[T object, L runtime.Object] interface {
	Create(context.Context, T, metav1.CreateOptions) (T, error)
	Get(context.Context, string, metav1.GetOptions) (T, error)
	List(context.Context, metav1.ListOptions) (L, error)
	Update(context.Context, T, metav1.UpdateOptions) (T, error)
	Delete(context.Context, string, metav1.DeleteOptions) error
	Watch(context.Context, metav1.ListOptions) (watch.Interface, error)
}

type kindCase[T object] struct {
	key    string  // resourceKey of the resource, e.g. "apps/v1/deployments"
	obj    T       // what is created
	update func(T) // a spec change the update carries (besides a label every update adds)
	status func(T) // a status change, for resources with a status subresource
	scale  bool    // the resource has a scale subresource
}

// exercise: watch, create, get, list, update (+ status, + scale), delete; what is read back must
// carry what was written, and the watch must see it all happen, decoded from protobuf frames.
func exercise[T object, L runtime.Object](t *testing.T, e *kindEnv, c crudClient[T, L], k kindCase[T]) {
	t.Helper()
	ctx := ctxT(t)
	name := k.obj.GetName()
	sel := metav1.ListOptions{LabelSelector: "pb-case=" + name}
	w, err := c.Watch(ctx, sel)
	if err != nil {
		t.Fatalf("watch: %v", err)
	}
	defer w.Stop()

	sent := k.obj.DeepCopyObject()
	created, err := c.Create(ctx, k.obj, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	expectCarries(t, "create response", sent, created, "status")
	got, err := c.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	expectCarries(t, "get", sent, got, "status")
	list, err := c.List(ctx, sel)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	items, err := meta.ExtractList(list)
	if err != nil || len(items) != 1 {
		t.Fatalf("list: want 1 item, got %d (%v)", len(items), err)
	}
	expectCarries(t, "list item", sent, items[0], "status")
	if lm, err := meta.ListAccessor(list); err != nil || lm.GetResourceVersion() == "" {
		t.Fatalf("list metadata: resourceVersion missing (%v)", err)
	}

	onFresh(t, c, name, "update", func(cur T) error {
		labels := cur.GetLabels()
		labels["pb-updated"] = "true"
		cur.SetLabels(labels)
		if k.update != nil {
			k.update(cur)
		}
		want := cur.DeepCopyObject()
		res, err := c.Update(ctx, cur, metav1.UpdateOptions{})
		if err == nil {
			expectCarries(t, "update response", want, res, "status", "metadata.resourceVersion", "metadata.generation", "metadata.managedFields")
		}
		return err
	})
	e.covered.add(k.key)

	if k.status != nil {
		sc, ok := any(c).(interface {
			UpdateStatus(context.Context, T, metav1.UpdateOptions) (T, error)
		})
		if !ok {
			t.Fatalf("%T has no UpdateStatus", c)
		}
		onFresh(t, c, name, "status update", func(cur T) error {
			k.status(cur)
			want := cur.DeepCopyObject()
			res, err := sc.UpdateStatus(ctx, cur, metav1.UpdateOptions{})
			if err == nil {
				expectStatusCarried(t, want, res)
			}
			return err
		})
		e.covered.add(k.key + "/status")
	}
	if k.scale {
		exerciseScale(t, any(c), name)
		e.covered.add(k.key + "/scale")
	}

	zero := int64(0)
	if err := c.Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	eventually(t, 20*time.Second, "deleted object gone", func() error {
		_, err := c.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("get after delete: %v", err)
	})
	expectWatched(t, w, name)
}

// onFresh reads the object and runs step on it, again on a 409 (controllers write too).
func onFresh[T object, L runtime.Object](t *testing.T, c crudClient[T, L], name, what string, step func(T) error) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := c.Get(ctxT(t), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		return step(cur)
	})
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

type scaleClient interface {
	GetScale(context.Context, string, metav1.GetOptions) (*autoscalingv1.Scale, error)
	UpdateScale(context.Context, string, *autoscalingv1.Scale, metav1.UpdateOptions) (*autoscalingv1.Scale, error)
}

func exerciseScale(t *testing.T, c any, name string) {
	t.Helper()
	sc, ok := c.(scaleClient)
	if !ok {
		t.Fatalf("%T has no scale subresource client", c)
	}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		s, err := sc.GetScale(ctxT(t), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if s.Name != name || s.ResourceVersion == "" {
			return fmt.Errorf("scale of %s: %+v", name, s.ObjectMeta)
		}
		s.Spec.Replicas = 2
		res, err := sc.UpdateScale(ctxT(t), name, s, metav1.UpdateOptions{})
		if err == nil && res.Spec.Replicas != 2 {
			t.Errorf("scale update answered replicas %d, want 2", res.Spec.Replicas)
		}
		return err
	})
	if err != nil {
		t.Fatalf("scale: %v", err)
	}
}

// expectWatched: the watch saw the object added, updated (with the update's label) and deleted.
func expectWatched(t *testing.T, w watch.Interface, name string) {
	t.Helper()
	var seen []string
	timeout := time.After(15 * time.Second)
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatalf("watch closed early; saw %v", seen)
			}
			if ev.Type == watch.Error {
				t.Fatalf("watch error event: %v", apierrors.FromObject(ev.Object))
			}
			m, err := meta.Accessor(ev.Object)
			if err != nil || m.GetName() != name {
				t.Fatalf("watch event %s carries %T %v", ev.Type, ev.Object, err)
			}
			step := string(ev.Type)
			if ev.Type == watch.Modified && m.GetLabels()["pb-updated"] == "true" {
				step = "UPDATED"
			}
			if len(seen) == 0 || seen[len(seen)-1] != step {
				seen = append(seen, step)
			}
			if ev.Type == watch.Deleted {
				joined := strings.Join(seen, ",")
				if !strings.HasPrefix(joined, "ADDED,") || !strings.Contains(joined, ",UPDATED,") {
					t.Fatalf("watch events: %s, want ADDED, the update, DELETED", joined)
				}
				return
			}
		case <-timeout:
			t.Fatalf("watch: no DELETED event within 15s; saw %v", seen)
		}
	}
}

func toMap(t *testing.T, obj any) map[string]any {
	t.Helper()
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatalf("to unstructured: %v", err)
	}
	return m
}

// expectCarries: every non-zero value of want (as JSON) is in got, except under the skipped paths.
func expectCarries(t *testing.T, what string, want, got any, skip ...string) {
	t.Helper()
	skipped := map[string]bool{}
	for _, s := range skip {
		skipped[s] = true
	}
	if diffs := carries(toMap(t, want), toMap(t, got), "", skipped); len(diffs) > 0 {
		t.Errorf("%s lost what was written:\n  %s", what, strings.Join(diffs, "\n  "))
	}
}

func expectStatusCarried(t *testing.T, want, got any) {
	t.Helper()
	if diffs := carries(toMap(t, want)["status"], toMap(t, got)["status"], "status", nil); len(diffs) > 0 {
		t.Errorf("status update response lost what was written:\n  %s", strings.Join(diffs, "\n  "))
	}
}

func carries(want, got any, path string, skip map[string]bool) []string {
	if skip[path] || isZero(want) {
		return nil
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: wrote an object, read %v", path, got)}
		}
		var out []string
		for k, v := range w {
			p := k
			if path != "" {
				p = path + "." + k
			}
			out = append(out, carries(v, g[k], p, skip)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: wrote %d items, read %v", path, len(w), got)}
		}
		var out []string
		for i := range w {
			out = append(out, carries(w[i], g[i], fmt.Sprintf("%s[%d]", path, i), skip)...)
		}
		return out
	default:
		if !reflect.DeepEqual(want, got) {
			return []string{fmt.Sprintf("%s: wrote %v, read %v", path, want, got)}
		}
		return nil
	}
}

// isZero: values the server may default (an empty string, 0, false, empty collections) constrain nothing.
func isZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case int64:
		return x == 0
	case float64:
		return x == 0
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}
