package conformance

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	eventsv1 "k8s.io/api/events/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func selectorFor(labels map[string]string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: labels, MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"db"}}}}
}

func apisCases() map[string]func(*testing.T, *kindEnv) {
	cases := map[string]func(*testing.T, *kindEnv){
		"deployments": func(t *testing.T, e *kindEnv) {
			labels := map[string]string{"app": "deploy"}
			exercise[*appsv1.Deployment, *appsv1.DeploymentList](t, e, e.cs.AppsV1().Deployments(e.ns), kindCase[*appsv1.Deployment]{
				key: "apps/v1/deployments",
				obj: &appsv1.Deployment{ObjectMeta: e.meta("deploy", true), Spec: appsv1.DeploymentSpec{
					Replicas: ptr(int32(0)), Selector: selectorFor(labels), Template: podTemplate(labels), RevisionHistoryLimit: ptr(int32(3)), ProgressDeadlineSeconds: ptr(int32(120)),
					Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: ptr(intstr.FromString("25%")), MaxUnavailable: ptr(intstr.FromInt32(1))}},
				}},
				update: func(o *appsv1.Deployment) { o.Spec.MinReadySeconds = 4 },
				status: func(o *appsv1.Deployment) {
					o.Status.Conditions = append(o.Status.Conditions, appsv1.DeploymentCondition{Type: "example.invalid/PbTest", Status: corev1.ConditionTrue, LastUpdateTime: when, LastTransitionTime: when, Reason: "Written"})
				},
				scale: true,
			})
		},
		"replicasets": func(t *testing.T, e *kindEnv) {
			labels := map[string]string{"app": "rs"}
			exercise[*appsv1.ReplicaSet, *appsv1.ReplicaSetList](t, e, e.cs.AppsV1().ReplicaSets(e.ns), kindCase[*appsv1.ReplicaSet]{
				key:    "apps/v1/replicasets",
				obj:    &appsv1.ReplicaSet{ObjectMeta: e.meta("rs", true), Spec: appsv1.ReplicaSetSpec{Replicas: ptr(int32(0)), Selector: selectorFor(labels), Template: podTemplate(labels)}},
				update: func(o *appsv1.ReplicaSet) { o.Spec.MinReadySeconds = 2 },
				status: func(o *appsv1.ReplicaSet) { o.Status.ObservedGeneration = 9; o.Status.FullyLabeledReplicas = 1 },
				scale:  true,
			})
		},
		"statefulsets": func(t *testing.T, e *kindEnv) {
			labels := map[string]string{"app": "sts"}
			exercise[*appsv1.StatefulSet, *appsv1.StatefulSetList](t, e, e.cs.AppsV1().StatefulSets(e.ns), kindCase[*appsv1.StatefulSet]{
				key: "apps/v1/statefulsets",
				obj: &appsv1.StatefulSet{ObjectMeta: e.meta("sts", true), Spec: appsv1.StatefulSetSpec{
					Replicas: ptr(int32(0)), Selector: selectorFor(labels), Template: podTemplate(labels), ServiceName: "sts", PodManagementPolicy: appsv1.ParallelPodManagement,
					UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType, RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr(int32(1))}},
					VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"}, Spec: corev1.PersistentVolumeClaimSpec{
						AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}, Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
					}}},
					PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: appsv1.DeletePersistentVolumeClaimRetentionPolicyType},
				}},
				update: func(o *appsv1.StatefulSet) { o.Spec.MinReadySeconds = 3 },
				status: func(o *appsv1.StatefulSet) { o.Status.CurrentRevision = "sts-abc"; o.Status.CollisionCount = ptr(int32(1)) },
				scale:  true,
			})
		},
		"daemonsets": func(t *testing.T, e *kindEnv) {
			labels := map[string]string{"app": "ds"}
			exercise[*appsv1.DaemonSet, *appsv1.DaemonSetList](t, e, e.cs.AppsV1().DaemonSets(e.ns), kindCase[*appsv1.DaemonSet]{
				key: "apps/v1/daemonsets",
				obj: &appsv1.DaemonSet{ObjectMeta: e.meta("ds", true), Spec: appsv1.DaemonSetSpec{
					Selector: selectorFor(labels), Template: podTemplate(labels),
					UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: ptr(intstr.FromString("10%"))}},
				}},
				update: func(o *appsv1.DaemonSet) { o.Spec.RevisionHistoryLimit = ptr(int32(5)) },
				status: func(o *appsv1.DaemonSet) { o.Status.NumberMisscheduled = 2; o.Status.ObservedGeneration = 5 },
			})
		},
		"controllerrevisions": func(t *testing.T, e *kindEnv) {
			exercise[*appsv1.ControllerRevision, *appsv1.ControllerRevisionList](t, e, e.cs.AppsV1().ControllerRevisions(e.ns), kindCase[*appsv1.ControllerRevision]{
				key:    "apps/v1/controllerrevisions",
				obj:    &appsv1.ControllerRevision{ObjectMeta: e.meta("rev", true), Revision: 7, Data: runtime.RawExtension{Raw: []byte(`{"spec":{"template":{"metadata":{"labels":{"a":"b"}}}}}`)}},
				update: func(o *appsv1.ControllerRevision) { o.Revision = 8 },
			})
		},
		"jobs": func(t *testing.T, e *kindEnv) {
			tpl := podTemplate(nil)
			tpl.Spec.RestartPolicy = corev1.RestartPolicyNever
			exercise[*batchv1.Job, *batchv1.JobList](t, e, e.cs.BatchV1().Jobs(e.ns), kindCase[*batchv1.Job]{
				key: "batch/v1/jobs",
				obj: &batchv1.Job{ObjectMeta: e.meta("job", true), Spec: batchv1.JobSpec{
					Suspend: ptr(true), Parallelism: ptr(int32(2)), Completions: ptr(int32(4)), BackoffLimit: ptr(int32(1)), ActiveDeadlineSeconds: ptr(int64(600)),
					TTLSecondsAfterFinished: ptr(int32(60)), CompletionMode: ptr(batchv1.IndexedCompletion), Template: tpl,
					PodFailurePolicy: &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
						Action: batchv1.PodFailurePolicyActionFailJob, OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{3, 42}},
					}}},
				}},
				update: func(o *batchv1.Job) { o.Spec.ActiveDeadlineSeconds = ptr(int64(900)) },
				status: func(o *batchv1.Job) { o.Status.Failed = 2; o.Status.CompletedIndexes = "0-1" },
			})
		},
		"cronjobs": func(t *testing.T, e *kindEnv) {
			tpl := podTemplate(nil)
			tpl.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
			exercise[*batchv1.CronJob, *batchv1.CronJobList](t, e, e.cs.BatchV1().CronJobs(e.ns), kindCase[*batchv1.CronJob]{
				key: "batch/v1/cronjobs",
				obj: &batchv1.CronJob{ObjectMeta: e.meta("cron", true), Spec: batchv1.CronJobSpec{
					Schedule: "17 3 * * *", TimeZone: ptr("Etc/UTC"), Suspend: ptr(true), ConcurrencyPolicy: batchv1.ForbidConcurrent, StartingDeadlineSeconds: ptr(int64(30)),
					SuccessfulJobsHistoryLimit: ptr(int32(2)), JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: tpl}},
				}},
				update: func(o *batchv1.CronJob) { o.Spec.Schedule = "18 3 * * *" },
				status: func(o *batchv1.CronJob) { o.Status.LastScheduleTime = &when },
			})
		},
		"horizontalpodautoscalers-v1": func(t *testing.T, e *kindEnv) {
			exercise[*autoscalingv1.HorizontalPodAutoscaler, *autoscalingv1.HorizontalPodAutoscalerList](t, e, e.cs.AutoscalingV1().HorizontalPodAutoscalers(e.ns), kindCase[*autoscalingv1.HorizontalPodAutoscaler]{
				key: "autoscaling/v1/horizontalpodautoscalers",
				obj: &autoscalingv1.HorizontalPodAutoscaler{ObjectMeta: e.meta("hpa1", true), Spec: autoscalingv1.HorizontalPodAutoscalerSpec{
					ScaleTargetRef: autoscalingv1.CrossVersionObjectReference{Kind: "Deployment", Name: "d", APIVersion: "apps/v1"}, MinReplicas: ptr(int32(2)), MaxReplicas: 5, TargetCPUUtilizationPercentage: ptr(int32(70)),
				}},
				update: func(o *autoscalingv1.HorizontalPodAutoscaler) { o.Spec.MaxReplicas = 6 },
				status: func(o *autoscalingv1.HorizontalPodAutoscaler) { o.Status.CurrentReplicas = 3; o.Status.LastScaleTime = &when },
			})
		},
		"horizontalpodautoscalers-v2": func(t *testing.T, e *kindEnv) {
			exercise[*autoscalingv2.HorizontalPodAutoscaler, *autoscalingv2.HorizontalPodAutoscalerList](t, e, e.cs.AutoscalingV2().HorizontalPodAutoscalers(e.ns), kindCase[*autoscalingv2.HorizontalPodAutoscaler]{
				key: "autoscaling/v2/horizontalpodautoscalers",
				obj: &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: e.meta("hpa2", true), Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
					ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{Kind: "Deployment", Name: "d", APIVersion: "apps/v1"}, MinReplicas: ptr(int32(1)), MaxReplicas: 4,
					Metrics: []autoscalingv2.MetricSpec{
						{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr(int32(60))}}},
						{Type: autoscalingv2.PodsMetricSourceType, Pods: &autoscalingv2.PodsMetricSource{Metric: autoscalingv2.MetricIdentifier{Name: "qps"}, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: ptr(resource.MustParse("1500m"))}}},
					},
					Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleDown: &autoscalingv2.HPAScalingRules{
						StabilizationWindowSeconds: ptr(int32(300)), SelectPolicy: ptr(autoscalingv2.MinChangePolicySelect),
						Policies: []autoscalingv2.HPAScalingPolicy{{Type: autoscalingv2.PercentScalingPolicy, Value: 10, PeriodSeconds: 60}},
					}},
				}},
				update: func(o *autoscalingv2.HorizontalPodAutoscaler) { o.Spec.MaxReplicas = 8 },
				status: func(o *autoscalingv2.HorizontalPodAutoscaler) { o.Status.DesiredReplicas = 2; o.Status.ObservedGeneration = ptr(int64(3)) },
			})
		},
		"ingresses": func(t *testing.T, e *kindEnv) {
			prefix := networkingv1.PathTypePrefix
			exercise[*networkingv1.Ingress, *networkingv1.IngressList](t, e, e.cs.NetworkingV1().Ingresses(e.ns), kindCase[*networkingv1.Ingress]{
				key: "networking.k8s.io/v1/ingresses",
				obj: &networkingv1.Ingress{ObjectMeta: e.meta("ing", true), Spec: networkingv1.IngressSpec{
					IngressClassName: ptr("haproxy"),
					DefaultBackend:   &networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}},
					TLS:              []networkingv1.IngressTLS{{Hosts: []string{"a.example.invalid"}, SecretName: "tls"}},
					Rules: []networkingv1.IngressRule{{Host: "a.example.invalid", IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
						Path: "/api", PathType: &prefix, Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "api", Port: networkingv1.ServiceBackendPort{Name: "http"}}},
					}}}}}},
				}},
				update: func(o *networkingv1.Ingress) { o.Spec.TLS[0].Hosts = append(o.Spec.TLS[0].Hosts, "b.example.invalid") },
				status: func(o *networkingv1.Ingress) {
					o.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "192.0.2.20", Ports: []networkingv1.IngressPortStatus{{Port: 443, Protocol: corev1.ProtocolTCP}}}}
				},
			})
		},
		"ingressclasses": func(t *testing.T, e *kindEnv) {
			exercise[*networkingv1.IngressClass, *networkingv1.IngressClassList](t, e, e.cs.NetworkingV1().IngressClasses(), kindCase[*networkingv1.IngressClass]{
				key: "networking.k8s.io/v1/ingressclasses",
				obj: &networkingv1.IngressClass{ObjectMeta: e.meta("ic", false), Spec: networkingv1.IngressClassSpec{
					Controller: "example.invalid/ingress", Parameters: &networkingv1.IngressClassParametersReference{APIGroup: ptr("example.invalid"), Kind: "Params", Name: "p", Scope: ptr("Cluster")},
				}},
				update: func(o *networkingv1.IngressClass) { o.Spec.Parameters.Name = "q" },
			})
		},
		"networkpolicies": func(t *testing.T, e *kindEnv) {
			tcp := corev1.ProtocolTCP
			exercise[*networkingv1.NetworkPolicy, *networkingv1.NetworkPolicyList](t, e, e.cs.NetworkingV1().NetworkPolicies(e.ns), kindCase[*networkingv1.NetworkPolicy]{
				key: "networking.k8s.io/v1/networkpolicies",
				obj: &networkingv1.NetworkPolicy{ObjectMeta: e.meta("netpol", true), Spec: networkingv1.NetworkPolicySpec{
					PodSelector: *selectorFor(map[string]string{"app": "x"}), PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
					Ingress: []networkingv1.NetworkPolicyIngressRule{{
						From:  []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0/8", Except: []string{"10.1.0.0/16"}}}},
						Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: ptr(intstr.FromInt32(8000)), EndPort: ptr(int32(8100))}},
					}},
				}},
				update: func(o *networkingv1.NetworkPolicy) { o.Spec.Ingress[0].Ports[0].EndPort = ptr(int32(8200)) },
			})
		},
		"poddisruptionbudgets": func(t *testing.T, e *kindEnv) {
			exercise[*policyv1.PodDisruptionBudget, *policyv1.PodDisruptionBudgetList](t, e, e.cs.PolicyV1().PodDisruptionBudgets(e.ns), kindCase[*policyv1.PodDisruptionBudget]{
				key: "policy/v1/poddisruptionbudgets",
				obj: &policyv1.PodDisruptionBudget{ObjectMeta: e.meta("pdb", true), Spec: policyv1.PodDisruptionBudgetSpec{
					MinAvailable: ptr(intstr.FromString("50%")), Selector: selectorFor(map[string]string{"app": "x"}), UnhealthyPodEvictionPolicy: ptr(policyv1.AlwaysAllow),
				}},
				update: func(o *policyv1.PodDisruptionBudget) { o.Spec.MinAvailable = ptr(intstr.FromInt32(1)) },
				status: func(o *policyv1.PodDisruptionBudget) {
					o.Status.DisruptionsAllowed = 1
					o.Status.DisruptedPods = map[string]metav1.Time{"p-1": when}
				},
			})
		},
		"leases": func(t *testing.T, e *kindEnv) {
			exercise[*coordinationv1.Lease, *coordinationv1.LeaseList](t, e, e.cs.CoordinationV1().Leases(e.ns), kindCase[*coordinationv1.Lease]{
				key: "coordination.k8s.io/v1/leases",
				obj: &coordinationv1.Lease{ObjectMeta: e.meta("lease", true), Spec: coordinationv1.LeaseSpec{
					HolderIdentity: ptr("holder-1"), LeaseDurationSeconds: ptr(int32(15)), AcquireTime: &whenMicro, RenewTime: &whenMicro, LeaseTransitions: ptr(int32(2)),
				}},
				update: func(o *coordinationv1.Lease) { o.Spec.HolderIdentity = ptr("holder-2") },
			})
		},
		"endpointslices": func(t *testing.T, e *kindEnv) {
			exercise[*discoveryv1.EndpointSlice, *discoveryv1.EndpointSliceList](t, e, e.cs.DiscoveryV1().EndpointSlices(e.ns), kindCase[*discoveryv1.EndpointSlice]{
				key: "discovery.k8s.io/v1/endpointslices",
				obj: &discoveryv1.EndpointSlice{
					ObjectMeta: e.meta("eps", true), AddressType: discoveryv1.AddressTypeIPv4,
					Endpoints: []discoveryv1.Endpoint{{
						Addresses: []string{"10.0.0.5"}, Conditions: discoveryv1.EndpointConditions{Ready: ptr(true), Serving: ptr(true), Terminating: ptr(false)},
						NodeName: ptr("node-a"), Zone: ptr("z1"), Hints: &discoveryv1.EndpointHints{ForZones: []discoveryv1.ForZone{{Name: "z1"}}},
					}},
					Ports: []discoveryv1.EndpointPort{{Name: ptr("http"), Port: ptr(int32(8080)), Protocol: ptr(corev1.ProtocolTCP), AppProtocol: ptr("http")}},
				},
				update: func(o *discoveryv1.EndpointSlice) { o.Endpoints[0].Conditions.Ready = ptr(false) },
			})
		},
		"events.k8s.io": func(t *testing.T, e *kindEnv) {
			exercise[*eventsv1.Event, *eventsv1.EventList](t, e, e.cs.EventsV1().Events(e.ns), kindCase[*eventsv1.Event]{
				key: "events.k8s.io/v1/events",
				obj: &eventsv1.Event{
					ObjectMeta: e.meta("ev", true), EventTime: whenMicro, ReportingController: "example.invalid/pb", ReportingInstance: "pb-1",
					Action: "Test", Reason: "Tested", Note: "written as protobuf", Type: "Normal",
					Regarding: corev1.ObjectReference{Kind: "Pod", Namespace: e.ns, Name: "p"}, Series: &eventsv1.EventSeries{Count: 2, LastObservedTime: whenMicro},
					DeprecatedFirstTimestamp: when,
				},
				update: func(o *eventsv1.Event) { o.Series.Count = 3 },
			})
		},
		"priorityclasses": func(t *testing.T, e *kindEnv) {
			exercise[*schedulingv1.PriorityClass, *schedulingv1.PriorityClassList](t, e, e.cs.SchedulingV1().PriorityClasses(), kindCase[*schedulingv1.PriorityClass]{
				key:    "scheduling.k8s.io/v1/priorityclasses",
				obj:    &schedulingv1.PriorityClass{ObjectMeta: e.meta("pc", false), Value: -5, Description: "negative values round-trip", PreemptionPolicy: ptr(corev1.PreemptNever)},
				update: func(o *schedulingv1.PriorityClass) { o.Description = "still negative" },
			})
		},
		"storageclasses": func(t *testing.T, e *kindEnv) {
			exercise[*storagev1.StorageClass, *storagev1.StorageClassList](t, e, e.cs.StorageV1().StorageClasses(), kindCase[*storagev1.StorageClass]{
				key: "storage.k8s.io/v1/storageclasses",
				obj: &storagev1.StorageClass{
					ObjectMeta: e.meta("sc", false), Provisioner: "example.invalid/csi", Parameters: map[string]string{"type": "ssd"},
					ReclaimPolicy: ptr(corev1.PersistentVolumeReclaimDelete), AllowVolumeExpansion: ptr(true), VolumeBindingMode: ptr(storagev1.VolumeBindingWaitForFirstConsumer),
					MountOptions:      []string{"discard"},
					AllowedTopologies: []corev1.TopologySelectorTerm{{MatchLabelExpressions: []corev1.TopologySelectorLabelRequirement{{Key: "zone", Values: []string{"z1", "z2"}}}}},
				},
				update: func(o *storagev1.StorageClass) { o.MountOptions = append(o.MountOptions, "noatime") },
			})
		},
	}
	for k, v := range rbacCases() {
		cases[k] = v
	}
	for k, v := range apiExtensionsAndReviewCases() {
		cases[k] = v
	}
	return cases
}

func rbacCases() map[string]func(*testing.T, *kindEnv) {
	rules := []rbacv1.PolicyRule{{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{"cfg"}}}
	subjects := []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "alice"}, {Kind: "ServiceAccount", Name: "robot", Namespace: "default"}}
	grow := func(r *[]rbacv1.PolicyRule) {
		*r = append(*r, rbacv1.PolicyRule{NonResourceURLs: []string{"/healthz"}, Verbs: []string{"get"}})
	}
	return map[string]func(*testing.T, *kindEnv){
		"roles": func(t *testing.T, e *kindEnv) {
			exercise[*rbacv1.Role, *rbacv1.RoleList](t, e, e.cs.RbacV1().Roles(e.ns), kindCase[*rbacv1.Role]{
				key: "rbac.authorization.k8s.io/v1/roles", obj: &rbacv1.Role{ObjectMeta: e.meta("role", true), Rules: rules},
				update: func(o *rbacv1.Role) { o.Rules[0].Verbs = append(o.Rules[0].Verbs, "watch") },
			})
		},
		"clusterroles": func(t *testing.T, e *kindEnv) {
			exercise[*rbacv1.ClusterRole, *rbacv1.ClusterRoleList](t, e, e.cs.RbacV1().ClusterRoles(), kindCase[*rbacv1.ClusterRole]{
				key: "rbac.authorization.k8s.io/v1/clusterroles", obj: &rbacv1.ClusterRole{ObjectMeta: e.meta("crole", false), Rules: rules},
				update: func(o *rbacv1.ClusterRole) { grow(&o.Rules) },
			})
		},
		"rolebindings": func(t *testing.T, e *kindEnv) {
			exercise[*rbacv1.RoleBinding, *rbacv1.RoleBindingList](t, e, e.cs.RbacV1().RoleBindings(e.ns), kindCase[*rbacv1.RoleBinding]{
				key:    "rbac.authorization.k8s.io/v1/rolebindings",
				obj:    &rbacv1.RoleBinding{ObjectMeta: e.meta("rb", true), RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"}, Subjects: subjects},
				update: func(o *rbacv1.RoleBinding) { o.Subjects = o.Subjects[:1] },
			})
		},
		"clusterrolebindings": func(t *testing.T, e *kindEnv) {
			exercise[*rbacv1.ClusterRoleBinding, *rbacv1.ClusterRoleBindingList](t, e, e.cs.RbacV1().ClusterRoleBindings(), kindCase[*rbacv1.ClusterRoleBinding]{
				key:    "rbac.authorization.k8s.io/v1/clusterrolebindings",
				obj:    &rbacv1.ClusterRoleBinding{ObjectMeta: e.meta("crb", false), RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"}, Subjects: subjects},
				update: func(o *rbacv1.ClusterRoleBinding) { o.Subjects = o.Subjects[1:] },
			})
		},
	}
}
