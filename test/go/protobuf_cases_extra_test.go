package conformance

import (
	"fmt"
	"testing"
	"time"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	authnv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// crdObject: a schema using every JSONSchemaProps form with a JSON shape of its own (schema or
// array items, schema or boolean additionalProperties, raw JSON enum/default, doubles, validations).
func crdObject(e *kindEnv) *apiextv1.CustomResourceDefinition {
	n := time.Now().UnixNano() % 1_000_000_000
	group, plural, kind := "protobuf-kinds.example.com", fmt.Sprintf("widgets%d", n), fmt.Sprintf("Widget%d", n)
	m := e.meta("crd", false)
	m.Name = plural + "." + group
	m.Labels["pb-case"] = m.Name
	str := apiextv1.JSONSchemaProps{Type: "string", MaxLength: ptr(int64(63)), Pattern: "^[a-z]+$"}
	spec := apiextv1.JSONSchemaProps{
		Type: "object", Required: []string{"size"},
		Properties: map[string]apiextv1.JSONSchemaProps{
			"size":     {Type: "integer", Minimum: ptr(1.0), Maximum: ptr(10.5), Default: &apiextv1.JSON{Raw: []byte(`3`)}},
			"mode":     {Type: "string", Enum: []apiextv1.JSON{{Raw: []byte(`"fast"`)}, {Raw: []byte(`"safe"`)}}},
			"tags":     {Type: "array", Items: &apiextv1.JSONSchemaPropsOrArray{Schema: &str}, XListType: ptr("set")},
			"labels":   {Type: "object", AdditionalProperties: &apiextv1.JSONSchemaPropsOrBool{Allows: true, Schema: &str}},
			"port":     {XIntOrString: true},
			"anything": {Type: "object", XPreserveUnknownFields: ptr(true), Nullable: true},
			"replicas": {Type: "integer", Format: "int32"},
		},
		XValidations: apiextv1.ValidationRules{{Rule: "self.size <= 10", Message: "too big"}},
	}
	return &apiextv1.CustomResourceDefinition{ObjectMeta: m, Spec: apiextv1.CustomResourceDefinitionSpec{
		Group: group, Scope: apiextv1.NamespaceScoped,
		Names: apiextv1.CustomResourceDefinitionNames{Plural: plural, Singular: fmt.Sprintf("widget%d", n), Kind: kind, ListKind: kind + "List", ShortNames: []string{fmt.Sprintf("wd%d", n)}, Categories: []string{"pbtest"}},
		Versions: []apiextv1.CustomResourceDefinitionVersion{{
			Name: "v1", Served: true, Storage: true,
			Schema: &apiextv1.CustomResourceValidation{OpenAPIV3Schema: &apiextv1.JSONSchemaProps{Type: "object", Description: "a widget", Properties: map[string]apiextv1.JSONSchemaProps{
				"spec": spec, "status": {Type: "object", Properties: map[string]apiextv1.JSONSchemaProps{"replicas": {Type: "integer"}}},
			}}},
			Subresources: &apiextv1.CustomResourceSubresources{
				Status: &apiextv1.CustomResourceSubresourceStatus{},
				Scale:  &apiextv1.CustomResourceSubresourceScale{SpecReplicasPath: ".spec.replicas", StatusReplicasPath: ".status.replicas"},
			},
			AdditionalPrinterColumns: []apiextv1.CustomResourceColumnDefinition{{Name: "Size", Type: "integer", JSONPath: ".spec.size", Priority: 1}},
		}},
	}}
}

func apiExtensionsAndReviewCases() map[string]func(*testing.T, *kindEnv) {
	return map[string]func(*testing.T, *kindEnv){
		"customresourcedefinitions": func(t *testing.T, e *kindEnv) {
			exercise[*apiextv1.CustomResourceDefinition, *apiextv1.CustomResourceDefinitionList](t, e, e.ax.ApiextensionsV1().CustomResourceDefinitions(), kindCase[*apiextv1.CustomResourceDefinition]{
				key:    "apiextensions.k8s.io/v1/customresourcedefinitions",
				obj:    crdObject(e),
				update: func(o *apiextv1.CustomResourceDefinition) { o.Spec.Versions[0].Schema.OpenAPIV3Schema.Description = "a widget, updated" },
				status: func(o *apiextv1.CustomResourceDefinition) { o.Status.StoredVersions = []string{"v1"} },
			})
		},
		"reviews": func(t *testing.T, e *kindEnv) {
			ctx := ctxT(t)
			sa, err := e.cs.CoreV1().ServiceAccounts(e.ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: e.meta("reviewer", true)}, metav1.CreateOptions{})
			if err != nil {
				t.Fatalf("sa: %v", err)
			}
			tr, err := e.cs.CoreV1().ServiceAccounts(e.ns).CreateToken(ctx, sa.Name, &authnv1.TokenRequest{}, metav1.CreateOptions{})
			if err != nil {
				t.Fatalf("token: %v", err)
			}
			review, err := e.cs.AuthenticationV1().TokenReviews().Create(ctx, &authnv1.TokenReview{Spec: authnv1.TokenReviewSpec{Token: tr.Status.Token}}, metav1.CreateOptions{})
			if err != nil || !review.Status.Authenticated || review.Status.User.Username != "system:serviceaccount:"+e.ns+":"+sa.Name {
				t.Fatalf("TokenReview: %v %+v", err, review)
			}
			e.covered.add("authentication.k8s.io/v1/tokenreviews")

			self, err := e.cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
			if err != nil || self.Status.UserInfo.Username == "" {
				t.Fatalf("SelfSubjectReview: %v %+v", err, self)
			}
			e.covered.add("authentication.k8s.io/v1/selfsubjectreviews")

			pods := &authzv1.ResourceAttributes{Namespace: e.ns, Verb: "list", Resource: "pods"}
			ssar, err := e.cs.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authzv1.SelfSubjectAccessReview{Spec: authzv1.SelfSubjectAccessReviewSpec{ResourceAttributes: pods}}, metav1.CreateOptions{})
			if err != nil || !ssar.Status.Allowed {
				t.Fatalf("SelfSubjectAccessReview: %v %+v", err, ssar)
			}
			e.covered.add("authorization.k8s.io/v1/selfsubjectaccessreviews")

			// Groups and Extra (a map of string lists) must reach the authorizer.
			sar, err := e.cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{
				User: "someone", Groups: []string{"system:masters"}, Extra: map[string]authzv1.ExtraValue{"example.invalid/k": {"v1", "v2"}}, ResourceAttributes: pods,
			}}, metav1.CreateOptions{})
			if err != nil || !sar.Status.Allowed || len(sar.Spec.Extra["example.invalid/k"]) != 2 {
				t.Fatalf("SubjectAccessReview: %v %+v", err, sar)
			}
			e.covered.add("authorization.k8s.io/v1/subjectaccessreviews")

			lsar, err := e.cs.AuthorizationV1().LocalSubjectAccessReviews(e.ns).Create(ctx, &authzv1.LocalSubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Namespace: e.ns}, Spec: authzv1.SubjectAccessReviewSpec{User: "nobody", ResourceAttributes: pods},
			}, metav1.CreateOptions{})
			if err != nil || lsar.Status.Allowed {
				t.Fatalf("LocalSubjectAccessReview: want denied, got %v %+v", err, lsar)
			}
			e.covered.add("authorization.k8s.io/v1/localsubjectaccessreviews")

			rules, err := e.cs.AuthorizationV1().SelfSubjectRulesReviews().Create(ctx, &authzv1.SelfSubjectRulesReview{Spec: authzv1.SelfSubjectRulesReviewSpec{Namespace: e.ns}}, metav1.CreateOptions{})
			if err != nil || len(rules.Status.ResourceRules) == 0 {
				t.Fatalf("SelfSubjectRulesReview: %v %+v", err, rules)
			}
			e.covered.add("authorization.k8s.io/v1/selfsubjectrulesreviews")
		},
		"metrics": func(t *testing.T, e *kindEnv) {
			ctx := ctxT(t)
			pod, err := e.cs.CoreV1().Pods(e.ns).Create(ctx, &corev1.Pod{ObjectMeta: e.meta("metered", true), Spec: podSpec()}, metav1.CreateOptions{})
			if err != nil {
				t.Fatalf("pod: %v", err)
			}
			pm, err := e.mx.MetricsV1beta1().PodMetricses(e.ns).Get(ctx, pod.Name, metav1.GetOptions{})
			if err != nil || len(pm.Containers) != 1 || pm.Containers[0].Usage.Cpu().IsZero() || pm.Window.Duration <= 0 || pm.Timestamp.IsZero() {
				t.Fatalf("PodMetrics: %v %+v", err, pm)
			}
			pml, err := e.mx.MetricsV1beta1().PodMetricses(e.ns).List(ctx, metav1.ListOptions{LabelSelector: "pb-case=" + pod.Name})
			if err != nil || len(pml.Items) != 1 {
				t.Fatalf("PodMetricsList: %v %+v", err, pml)
			}
			e.covered.add("metrics.k8s.io/v1beta1/pods")
			nml, err := e.mx.MetricsV1beta1().NodeMetricses().List(ctx, metav1.ListOptions{})
			if err != nil || len(nml.Items) == 0 {
				t.Fatalf("NodeMetricsList: %v %+v", err, nml)
			}
			nm, err := e.mx.MetricsV1beta1().NodeMetricses().Get(ctx, nml.Items[0].Name, metav1.GetOptions{})
			if err != nil || nm.Usage.Memory().IsZero() {
				t.Fatalf("NodeMetrics: %v %+v", err, nm)
			}
			e.covered.add("metrics.k8s.io/v1beta1/nodes")
		},
	}
}
