package conformance

import (
	"testing"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/metadata"
)

func ptr[T any](v T) *T { return &v }

// kindCases: one case per served built-in resource (the coverage check names any that is missing).
func kindCases() map[string]func(*testing.T, *kindEnv) {
	cases := coreCases()
	for k, v := range apisCases() {
		cases[k] = v
	}
	return cases
}

// A timestamp with whole seconds (metav1.Time) and one with microseconds (metav1.MicroTime).
var (
	when      = metav1.NewTime(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	whenMicro = metav1.NewMicroTime(time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC))
)

func nsObject(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"pb-case": name}}}
}

// podSpec exercises the wire types a pod carries: quantities, int-or-strings, inlined unions
// (VolumeSource, ProbeHandler), pointers to zero, maps, nested lists.
func podSpec() corev1.PodSpec {
	return corev1.PodSpec{
		Containers: []corev1.Container{{
			Name: "main", Image: "example.invalid/runner:1", Command: []string{"run"}, Args: []string{"--flag", "x y"},
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
			Env:   []corev1.EnvVar{{Name: "A", Value: "b"}, {Name: "POD", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")},
			},
			ReadinessProbe: &corev1.Probe{
				ProbeHandler:        corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromString("http")}},
				InitialDelaySeconds: 3, PeriodSeconds: 7,
			},
			LivenessProbe:   &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}}},
			VolumeMounts:    []corev1.VolumeMount{{Name: "cfg", MountPath: "/etc/cfg", ReadOnly: true}},
			SecurityContext: &corev1.SecurityContext{RunAsUser: ptr(int64(1000)), AllowPrivilegeEscalation: ptr(false)},
		}},
		Volumes: []corev1.Volume{
			{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}, DefaultMode: ptr(int32(0o644))}}},
			{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse("1Gi"))}}},
		},
		TerminationGracePeriodSeconds: ptr(int64(0)),
		Tolerations:                   []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr(int64(30))}},
		NodeSelector:                  map[string]string{"kubernetes.io/os": "linux"},
		RestartPolicy:                 corev1.RestartPolicyAlways,
	}
}

func podTemplate(labels map[string]string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: podSpec()}
}

// metadataOnly: client-go's metadata client (controller-runtime's metadata-only informers) asks
// for PartialObjectMetadata(List) in protobuf for get, list and watch.
func metadataOnly(t *testing.T, e *kindEnv) {
	t.Helper()
	ctx := ctxT(t)
	mc, err := metadata.NewForConfig(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	cms := mc.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace(e.ns)
	m := e.meta("cm-meta", true)
	w, err := cms.Watch(ctx, metav1.ListOptions{LabelSelector: "pb-case=" + m.Name})
	if err != nil {
		t.Fatalf("metadata watch: %v", err)
	}
	defer w.Stop()
	if _, err := e.cs.CoreV1().ConfigMaps(e.ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: m, Data: map[string]string{"secret-ish": "not in metadata"}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("configmap: %v", err)
	}
	one, err := cms.Get(ctx, m.Name, metav1.GetOptions{})
	if err != nil || one.Labels["pb-case"] != m.Name || one.Annotations["example.invalid/note"] == "" {
		t.Fatalf("metadata get: %v %+v", err, one)
	}
	list, err := cms.List(ctx, metav1.ListOptions{LabelSelector: "pb-case=" + m.Name})
	if err != nil || len(list.Items) != 1 || list.Items[0].Name != m.Name {
		t.Fatalf("metadata list: %v %+v", err, list)
	}
	select {
	case ev := <-w.ResultChan():
		if pom, ok := ev.Object.(*metav1.PartialObjectMetadata); ev.Type != watch.Added || !ok || pom.Name != m.Name {
			t.Fatalf("metadata watch event: %s %T", ev.Type, ev.Object)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("metadata watch: no ADDED event within 10s")
	}
}

func coreCases() map[string]func(*testing.T, *kindEnv) {
	return map[string]func(*testing.T, *kindEnv){
		"configmaps": func(t *testing.T, e *kindEnv) {
			exercise[*corev1.ConfigMap, *corev1.ConfigMapList](t, e, e.cs.CoreV1().ConfigMaps(e.ns), kindCase[*corev1.ConfigMap]{
				key: "core/v1/configmaps",
				obj: &corev1.ConfigMap{ObjectMeta: e.meta("cm", true), Data: map[string]string{"a": "b", "ünïcode": "✓"}, BinaryData: map[string][]byte{"bin": {0, 1, 2, 255}}},
				update: func(o *corev1.ConfigMap) { o.Data["added"] = "later" },
			})
			metadataOnly(t, e)
		},
		"secrets": func(t *testing.T, e *kindEnv) {
			exercise[*corev1.Secret, *corev1.SecretList](t, e, e.cs.CoreV1().Secrets(e.ns), kindCase[*corev1.Secret]{
				key: "core/v1/secrets",
				obj: &corev1.Secret{ObjectMeta: e.meta("secret", true), Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"token": []byte("fake-value"), "raw": {0xff, 0}}},
				update: func(o *corev1.Secret) { o.Data["more"] = []byte("fake-too") },
			})
		},
		"serviceaccounts": func(t *testing.T, e *kindEnv) {
			exercise[*corev1.ServiceAccount, *corev1.ServiceAccountList](t, e, e.cs.CoreV1().ServiceAccounts(e.ns), kindCase[*corev1.ServiceAccount]{
				key:    "core/v1/serviceaccounts",
				obj:    &corev1.ServiceAccount{ObjectMeta: e.meta("sa", true), AutomountServiceAccountToken: ptr(true), ImagePullSecrets: []corev1.LocalObjectReference{{Name: "pull"}}},
				update: func(o *corev1.ServiceAccount) { o.ImagePullSecrets = append(o.ImagePullSecrets, corev1.LocalObjectReference{Name: "pull2"}) },
			})
			// serviceaccounts/token: a TokenRequest both ways.
			sa, err := e.cs.CoreV1().ServiceAccounts(e.ns).Create(ctxT(t), &corev1.ServiceAccount{ObjectMeta: e.meta("sa-token", true)}, metav1.CreateOptions{})
			if err != nil {
				t.Fatalf("sa: %v", err)
			}
			tr, err := e.cs.CoreV1().ServiceAccounts(e.ns).CreateToken(ctxT(t), sa.Name, &authnv1.TokenRequest{Spec: authnv1.TokenRequestSpec{Audiences: []string{"pb-test"}, ExpirationSeconds: ptr(int64(3600))}}, metav1.CreateOptions{})
			if err != nil || tr.Status.Token == "" || tr.Status.ExpirationTimestamp.IsZero() || len(tr.Spec.Audiences) != 1 {
				t.Fatalf("CreateToken: %v %+v", err, tr)
			}
			e.covered.add("core/v1/serviceaccounts/token")
		},
		"services": func(t *testing.T, e *kindEnv) {
			exercise[*corev1.Service, *corev1.ServiceList](t, e, e.cs.CoreV1().Services(e.ns), kindCase[*corev1.Service]{
				key: "core/v1/services",
				obj: &corev1.Service{ObjectMeta: e.meta("svc", true), Spec: corev1.ServiceSpec{
					Type: corev1.ServiceTypeClusterIP, Selector: map[string]string{"app": "x"}, SessionAffinity: corev1.ServiceAffinityClientIP,
					Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP}, {Name: "grpc", Port: 9090, TargetPort: intstr.FromInt32(9091)}},
				}},
				update: func(o *corev1.Service) { o.Spec.Selector["tier"] = "web" },
				status: func(o *corev1.Service) {
					o.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "192.0.2.10", Hostname: "lb.example.invalid"}}
				},
			})
		},
		"pods": func(t *testing.T, e *kindEnv) {
			exercise[*corev1.Pod, *corev1.PodList](t, e, e.cs.CoreV1().Pods(e.ns), kindCase[*corev1.Pod]{
				key:    "core/v1/pods",
				obj:    &corev1.Pod{ObjectMeta: e.meta("pod", true), Spec: podSpec()},
				update: func(o *corev1.Pod) { o.Spec.ActiveDeadlineSeconds = ptr(int64(600)) },
				status: func(o *corev1.Pod) {
					o.Status.Conditions = append(o.Status.Conditions, corev1.PodCondition{Type: "example.invalid/PbTest", Status: corev1.ConditionTrue, LastTransitionTime: when, Reason: "Written"})
					o.Status.Message = "set through protobuf"
				},
			})
			// pods/log is text (no protobuf): read it as client-go does.
			pod, err := e.cs.CoreV1().Pods(e.ns).Create(ctxT(t), &corev1.Pod{ObjectMeta: e.meta("pod-log", true), Spec: podSpec()}, metav1.CreateOptions{})
			if err != nil {
				t.Fatalf("pod: %v", err)
			}
			if _, err := e.cs.CoreV1().Pods(e.ns).GetLogs(pod.Name, &corev1.PodLogOptions{Container: "main"}).DoRaw(ctxT(t)); err != nil {
				t.Fatalf("pod log: %v", err)
			}
			e.covered.add("core/v1/pods/log")
		},
		"podtemplates": func(t *testing.T, e *kindEnv) {
			exercise[*corev1.PodTemplate, *corev1.PodTemplateList](t, e, e.cs.CoreV1().PodTemplates(e.ns), kindCase[*corev1.PodTemplate]{
				key:    "core/v1/podtemplates",
				obj:    &corev1.PodTemplate{ObjectMeta: e.meta("pt", true), Template: podTemplate(map[string]string{"app": "pt"})},
				update: func(o *corev1.PodTemplate) { o.Template.Spec.Containers[0].Image = "example.invalid/runner:2" },
			})
		},
		"replicationcontrollers": func(t *testing.T, e *kindEnv) {
			labels := map[string]string{"app": "rc"}
			exercise[*corev1.ReplicationController, *corev1.ReplicationControllerList](t, e, e.cs.CoreV1().ReplicationControllers(e.ns), kindCase[*corev1.ReplicationController]{
				key:    "core/v1/replicationcontrollers",
				obj:    &corev1.ReplicationController{ObjectMeta: e.meta("rc", true), Spec: corev1.ReplicationControllerSpec{Replicas: ptr(int32(0)), MinReadySeconds: 5, Selector: labels, Template: ptr(podTemplate(labels))}},
				update: func(o *corev1.ReplicationController) { o.Spec.MinReadySeconds = 9 },
				status: func(o *corev1.ReplicationController) { o.Status.ObservedGeneration = 42; o.Status.FullyLabeledReplicas = 3 },
				scale:  true,
			})
		},
		"persistentvolumeclaims": func(t *testing.T, e *kindEnv) {
			exercise[*corev1.PersistentVolumeClaim, *corev1.PersistentVolumeClaimList](t, e, e.cs.CoreV1().PersistentVolumeClaims(e.ns), kindCase[*corev1.PersistentVolumeClaim]{
				key: "core/v1/persistentvolumeclaims",
				obj: &corev1.PersistentVolumeClaim{ObjectMeta: e.meta("pvc", true), Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}, StorageClassName: ptr("fast"), VolumeMode: ptr(corev1.PersistentVolumeFilesystem),
					Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("5Gi")}},
				}},
				update: func(o *corev1.PersistentVolumeClaim) {
					o.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("10Gi")
				},
				status: func(o *corev1.PersistentVolumeClaim) {
					o.Status.Phase = corev1.ClaimBound
					o.Status.Capacity = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")}
				},
			})
		},
		"persistentvolumes": func(t *testing.T, e *kindEnv) {
			exercise[*corev1.PersistentVolume, *corev1.PersistentVolumeList](t, e, e.cs.CoreV1().PersistentVolumes(), kindCase[*corev1.PersistentVolume]{
				key: "core/v1/persistentvolumes",
				obj: &corev1.PersistentVolume{ObjectMeta: e.meta("pv", false), Spec: corev1.PersistentVolumeSpec{
					Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("5Gi")},
					AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
					PersistentVolumeSource:        corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/data", Type: ptr(corev1.HostPathDirectoryOrCreate)}},
					ClaimRef:                      &corev1.ObjectReference{Namespace: "ns", Name: "claim", Kind: "PersistentVolumeClaim"},
					MountOptions:                  []string{"ro"},
				}},
				update: func(o *corev1.PersistentVolume) { o.Spec.MountOptions = append(o.Spec.MountOptions, "noatime") },
				status: func(o *corev1.PersistentVolume) { o.Status.Phase = corev1.VolumeAvailable; o.Status.Message = "ready" },
			})
		},
		"endpoints": func(t *testing.T, e *kindEnv) {
			exercise[*corev1.Endpoints, *corev1.EndpointsList](t, e, e.cs.CoreV1().Endpoints(e.ns), kindCase[*corev1.Endpoints]{
				key: "core/v1/endpoints",
				obj: &corev1.Endpoints{ObjectMeta: e.meta("ep", true), Subsets: []corev1.EndpointSubset{{
					Addresses: []corev1.EndpointAddress{{IP: "10.0.0.1", NodeName: ptr("node-a")}}, Ports: []corev1.EndpointPort{{Name: "http", Port: 8080, Protocol: corev1.ProtocolTCP}},
				}}},
				update: func(o *corev1.Endpoints) { o.Subsets[0].Addresses = append(o.Subsets[0].Addresses, corev1.EndpointAddress{IP: "10.0.0.2"}) },
			})
		},
		"events": func(t *testing.T, e *kindEnv) {
			m := e.meta("event", true)
			exercise[*corev1.Event, *corev1.EventList](t, e, e.cs.CoreV1().Events(e.ns), kindCase[*corev1.Event]{
				key: "core/v1/events",
				obj: &corev1.Event{
					ObjectMeta: m, InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: e.ns, Name: "p", APIVersion: "v1"},
					Reason: "Tested", Message: "written as protobuf", Type: corev1.EventTypeNormal, Count: 3,
					FirstTimestamp: when, LastTimestamp: when, EventTime: whenMicro, Source: corev1.EventSource{Component: "pb-test"},
					ReportingController: "example.invalid/pb", ReportingInstance: "pb-1", Action: "Test",
				},
				update: func(o *corev1.Event) { o.Count = 4 },
			})
		},
		"limitranges": func(t *testing.T, e *kindEnv) {
			exercise[*corev1.LimitRange, *corev1.LimitRangeList](t, e, e.cs.CoreV1().LimitRanges(e.ns), kindCase[*corev1.LimitRange]{
				key: "core/v1/limitranges",
				obj: &corev1.LimitRange{ObjectMeta: e.meta("limits", true), Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
					Type:           corev1.LimitTypeContainer,
					Max:            corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("2Gi")},
					Default:        corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m")},
					DefaultRequest: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")},
				}}}},
				update: func(o *corev1.LimitRange) {
					o.Spec.Limits[0].MaxLimitRequestRatio = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4")}
				},
			})
		},
		"resourcequotas": func(t *testing.T, e *kindEnv) {
			exercise[*corev1.ResourceQuota, *corev1.ResourceQuotaList](t, e, e.cs.CoreV1().ResourceQuotas(e.ns), kindCase[*corev1.ResourceQuota]{
				key: "core/v1/resourcequotas",
				obj: &corev1.ResourceQuota{ObjectMeta: e.meta("quota", true), Spec: corev1.ResourceQuotaSpec{
					Hard:   corev1.ResourceList{corev1.ResourcePods: resource.MustParse("10"), corev1.ResourceRequestsMemory: resource.MustParse("8Gi")},
					Scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeNotBestEffort},
				}},
				update: func(o *corev1.ResourceQuota) { o.Spec.Hard[corev1.ResourcePods] = resource.MustParse("20") },
				status: func(o *corev1.ResourceQuota) {
					o.Status.Hard = corev1.ResourceList{corev1.ResourcePods: resource.MustParse("20")}
					o.Status.Used = corev1.ResourceList{corev1.ResourcePods: resource.MustParse("1")}
				},
			})
		},
		"namespaces": func(t *testing.T, e *kindEnv) {
			obj := nsObject(uniqueName("pb-ns"))
			obj.Labels["app.kubernetes.io/part-of"] = "protobuf-kinds"
			exercise[*corev1.Namespace, *corev1.NamespaceList](t, e, e.cs.CoreV1().Namespaces(), kindCase[*corev1.Namespace]{
				key:    "core/v1/namespaces",
				obj:    obj,
				update: func(o *corev1.Namespace) { o.Annotations = map[string]string{"example.invalid/owner": "pb"} },
				status: func(o *corev1.Namespace) {
					o.Status.Conditions = append(o.Status.Conditions, corev1.NamespaceCondition{Type: "example.invalid/PbTest", Status: corev1.ConditionTrue, LastTransitionTime: when, Reason: "Written"})
				},
			})
			// namespaces/finalize: a PUT of the Namespace with its finalizers. client-go's Finalize is
			// hand-written (no protobuf default); the namespace controller's client is set to protobuf.
			ns, err := e.cs.CoreV1().Namespaces().Create(ctxT(t), nsObject(uniqueName("pb-fin")), metav1.CreateOptions{})
			if err != nil {
				t.Fatalf("namespace: %v", err)
			}
			ns.Spec.Finalizers = []corev1.FinalizerName{corev1.FinalizerKubernetes}
			res, err := typedClient(t, e.cfg, protobuf).CoreV1().Namespaces().Finalize(ctxT(t), ns, metav1.UpdateOptions{})
			if err != nil || res.Name != ns.Name || len(res.Spec.Finalizers) != 1 {
				t.Fatalf("finalize: %v %+v", err, res)
			}
			if err := e.cs.CoreV1().Namespaces().Delete(ctxT(t), ns.Name, metav1.DeleteOptions{}); err != nil {
				t.Fatalf("delete: %v", err)
			}
			e.covered.add("core/v1/namespaces/finalize")
		},
		"nodes": func(t *testing.T, e *kindEnv) {
			exercise[*corev1.Node, *corev1.NodeList](t, e, e.cs.CoreV1().Nodes(), kindCase[*corev1.Node]{
				key: "core/v1/nodes",
				obj: &corev1.Node{ObjectMeta: e.meta("node", false), Spec: corev1.NodeSpec{
					PodCIDR: "10.9.0.0/24", PodCIDRs: []string{"10.9.0.0/24"},
					Taints: []corev1.Taint{{Key: "example.invalid/pb", Value: "x", Effect: corev1.TaintEffectNoSchedule, TimeAdded: &when}},
				}},
				update: func(o *corev1.Node) { o.Spec.Unschedulable = true },
				status: func(o *corev1.Node) {
					o.Status.Capacity = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourcePods: resource.MustParse("110")}
					o.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "192.0.2.7"}}
					o.Status.NodeInfo.KubeletVersion = "v1.33.0"
				},
			})
		},
	}
}
