package conformance

import (
	"fmt"
	"strings"
	"testing"

	authnv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// TestTypedClientset drives reviews, tokens and RBAC with the typed clientset, once per wire format.
func TestTypedClientset(t *testing.T) {
	cfg := restConfig(t)
	for _, ct := range []string{protobuf, "application/json"} {
		t.Run(strings.ReplaceAll(ct, "/", "_"), func(t *testing.T) { typedSuite(t, cfg, ct) })
	}
}

func typedSuite(t *testing.T, cfg *rest.Config, contentType string) {
	ctx := ctxT(t)
	cs := typedClient(t, cfg, contentType)

	ssr, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("SelfSubjectReview: %v", err)
	}
	if !contains(ssr.Status.UserInfo.Groups, "system:masters") {
		t.Fatalf("admin kubeconfig should be system:masters, got %+v", ssr.Status.UserInfo)
	}

	ns := uniqueName("go-typed")
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("namespace: %v", err)
	}
	t.Cleanup(func() { _ = cs.CoreV1().Namespaces().Delete(ctxT(t), ns, metav1.DeleteOptions{}) })

	// The ServiceAccount controller gives every namespace a default SA.
	eventually(t, 10e9, "default ServiceAccount", func() error {
		_, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err
	})

	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "robot"}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("sa: %v", err)
	}
	secret, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "bound"}, StringData: map[string]string{"k": "fake-value"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("secret: %v", err)
	}
	pod, err := cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p"},
		Spec:       corev1.PodSpec{ServiceAccountName: "robot", Containers: []corev1.Container{{Name: "c", Image: "example.invalid/runner:1"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("pod: %v", err)
	}

	// TokenRequest: too short is Invalid; a normal one authenticates as the SA.
	short := int64(599)
	_, err = cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, "robot", &authnv1.TokenRequest{Spec: authnv1.TokenRequestSpec{ExpirationSeconds: &short}}, metav1.CreateOptions{})
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "less than 10 minutes") {
		t.Fatalf("599 s token: want Invalid, got %v", err)
	}
	token := createToken(t, cs, ns, "robot", nil)
	tr := review(t, cs, token)
	if !tr.Status.Authenticated || tr.Status.User.Username != fmt.Sprintf("system:serviceaccount:%s:robot", ns) {
		t.Fatalf("TokenReview: %+v", tr.Status)
	}
	if !contains(tr.Status.User.Groups, "system:serviceaccounts:"+ns) || len(tr.Status.User.Extra["authentication.kubernetes.io/credential-id"]) != 1 {
		t.Fatalf("TokenReview groups/extra: %+v", tr.Status.User)
	}

	// The SA token has no rights until a RoleBinding gives it view.
	robot := tokenClient(t, cfg, contentType, token)
	if _, err := robot.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("robot list pods before binding: want Forbidden, got %v", err)
	}
	if allowed := ssar(t, robot, ns, "list", "pods"); allowed {
		t.Fatalf("SSAR before binding should deny")
	}
	_, err = cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "robot-view"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "robot", Namespace: ns}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("rolebinding: %v", err)
	}
	eventually(t, 5e9, "robot can list pods", func() error {
		pods, err := robot.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err == nil && len(pods.Items) != 1 {
			return fmt.Errorf("pods: %d", len(pods.Items))
		}
		return err
	})
	if !ssar(t, robot, ns, "list", "pods") || ssar(t, robot, ns, "get", "secrets") {
		t.Fatalf("SSAR after binding: want list pods yes, get secrets no")
	}
	if _, err := robot.CoreV1().Secrets(ns).Get(ctx, "bound", metav1.GetOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("view must not read secrets: %v", err)
	}

	// Bound tokens die with their object.
	secretToken := createToken(t, cs, ns, "robot", &authnv1.BoundObjectReference{Kind: "Secret", APIVersion: "v1", Name: "bound", UID: secret.UID})
	podToken := createToken(t, cs, ns, "robot", &authnv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: "p", UID: pod.UID})
	if r := review(t, cs, podToken); !r.Status.Authenticated || r.Status.User.Extra["authentication.kubernetes.io/pod-name"][0] != "p" {
		t.Fatalf("pod-bound token: %+v", r.Status)
	}
	if err := cs.CoreV1().Secrets(ns).Delete(ctx, "bound", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5e9, "secret-bound token invalid", func() error {
		if review(t, cs, secretToken).Status.Authenticated {
			return fmt.Errorf("still authenticated")
		}
		return nil
	})

	// Deleting and recreating the SA invalidates every token of the old one.
	if err := cs.CoreV1().ServiceAccounts(ns).Delete(ctx, "robot", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "robot"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5e9, "old SA token invalid", func() error {
		if review(t, cs, token).Status.Authenticated {
			return fmt.Errorf("still authenticated")
		}
		return nil
	})
	if _, err := robot.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{}); !apierrors.IsUnauthorized(err) {
		t.Fatalf("old token against the API: want Unauthorized, got %v", err)
	}
}

func createToken(t *testing.T, cs *kubernetes.Clientset, ns, sa string, ref *authnv1.BoundObjectReference) string {
	t.Helper()
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctxT(t), sa, &authnv1.TokenRequest{Spec: authnv1.TokenRequestSpec{BoundObjectRef: ref}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if tr.Status.Token == "" || tr.Status.ExpirationTimestamp.IsZero() {
		t.Fatalf("TokenRequest status empty")
	}
	return tr.Status.Token
}

func review(t *testing.T, cs *kubernetes.Clientset, token string) *authnv1.TokenReview {
	t.Helper()
	r, err := cs.AuthenticationV1().TokenReviews().Create(ctxT(t), &authnv1.TokenReview{Spec: authnv1.TokenReviewSpec{Token: token}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("TokenReview: %v", err)
	}
	return r
}

func ssar(t *testing.T, cs *kubernetes.Clientset, ns, verb, resource string) bool {
	t.Helper()
	r, err := cs.AuthorizationV1().SelfSubjectAccessReviews().Create(ctxT(t), &authzv1.SelfSubjectAccessReview{
		Spec: authzv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authzv1.ResourceAttributes{Namespace: ns, Verb: verb, Resource: resource}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("SSAR: %v", err)
	}
	return r.Status.Allowed
}

// tokenClient is a clientset that authenticates with a bearer token instead of the kubeconfig's user.
func tokenClient(t *testing.T, cfg *rest.Config, contentType, token string) *kubernetes.Clientset {
	c := rest.AnonymousClientConfig(cfg)
	c.BearerToken = token
	return typedClient(t, c, contentType)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
