package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/scheme"
)

type fixture struct {
	Name string          `json:"name"`
	Body []byte          `json:"body"` // base64, as encoding/json writes []byte
	JSON json.RawMessage `json:"json"`
}

func ptr[T any](v T) *T { return &v }

func js(s string) *apiextv1.JSON { return &apiextv1.JSON{Raw: []byte(s)} }

// fixtureObjects are what kubectl's generators and the e2e suite's clientsets send, plus the
// encodings the decoder must get exactly right: pointers to zero values, IntOrString both ways,
// Quantities, Time and MicroTime, binary data, inlined structs, the JSONSchemaProps unions.
func fixtureObjects() map[string]runtime.Object {
	created := metav1.NewTime(time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC))
	renew := metav1.NewMicroTime(time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC))
	labels := map[string]string{"app": "web"}
	podSpec := corev1.PodSpec{
		Containers: []corev1.Container{{
			Name:  "web",
			Image: "nginx:1.27",
			Ports: []corev1.ContainerPort{{ContainerPort: 80, Protocol: corev1.ProtocolTCP}},
		}},
	}
	return map[string]runtime.Object{
		"namespace": &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "pbtest", Labels: map[string]string{"team": "a"}}},
		"configmap": &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "cm", Namespace: "default"},
			Data:       map[string]string{"a": "b", "empty": ""},
			BinaryData: map[string][]byte{"bin": {0, 1, 2, 0xff}},
		},
		"secret": &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "s"},
			Type:       corev1.SecretTypeOpaque,
			Data:       map[string][]byte{"k": []byte("v")},
			Immutable:  ptr(false),
		},
		"deployment": &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "d", Labels: labels},
			Spec: appsv1.DeploymentSpec{
				Replicas: ptr(int32(0)),
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Strategy: appsv1.DeploymentStrategy{
					Type: appsv1.RollingUpdateDeploymentStrategyType,
					RollingUpdate: &appsv1.RollingUpdateDeployment{
						MaxSurge:       ptr(intstr.FromString("25%")),
						MaxUnavailable: ptr(intstr.FromInt32(0)),
					},
				},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: podSpec},
			},
		},
		"service": &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: "svc"},
			Spec: corev1.ServiceSpec{
				Type:     corev1.ServiceTypeClusterIP,
				Selector: labels,
				Ports: []corev1.ServicePort{
					{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080), Protocol: corev1.ProtocolTCP},
					{Name: "https", Port: 443, TargetPort: intstr.FromString("https")},
					{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP},
				},
				IPFamilyPolicy: ptr(corev1.IPFamilyPolicySingleStack),
			},
		},
		"pod": &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{
				Name: "p", Namespace: "default", CreationTimestamp: created,
				Annotations: map[string]string{"note": "ünïcode ✓"},
				OwnerReferences: []metav1.OwnerReference{{
					APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "rs", UID: "1234", Controller: ptr(true),
				}},
				ManagedFields: []metav1.ManagedFieldsEntry{{
					Manager: "kubectl", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1",
					Time: &created, FieldsType: "FieldsV1",
					FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:metadata":{"f:annotations":{".":{},"f:note":{}}}}`)},
				}},
			},
			Spec: corev1.PodSpec{
				Containers: []corev1.Container{{
					Name:    "main",
					Image:   "busybox",
					Command: []string{"sh", "-c", "sleep 1"},
					Env:     []corev1.EnvVar{{Name: "A", Value: "1"}, {Name: "EMPTY"}},
					Resources: corev1.ResourceRequirements{
						Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("0.1"), "example.com/gpu": resource.MustParse("1")},
					},
					LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
						HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")},
					}, PeriodSeconds: 10},
					SecurityContext: &corev1.SecurityContext{RunAsUser: ptr(int64(0)), Privileged: ptr(false)},
				}},
				Volumes: []corev1.Volume{{
					Name:         "config",
					VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}, DefaultMode: ptr(int32(0o644))}},
				}},
				Tolerations:                   []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr(int64(300))}},
				TerminationGracePeriodSeconds: ptr(int64(-1)),
				Priority:                      ptr(int32(-5)),
			},
		},
		"job": &batchv1.Job{
			ObjectMeta: metav1.ObjectMeta{Name: "j"},
			Spec: batchv1.JobSpec{
				BackoffLimit: ptr(int32(6)),
				Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers:    []corev1.Container{{Name: "j", Image: "busybox"}},
				}},
			},
		},
		"role": &rbacv1.Role{
			ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: "default"},
			Rules: []rbacv1.PolicyRule{
				{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}},
				{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, ResourceNames: []string{"d"}, Verbs: []string{"*"}},
			},
		},
		"lease": &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: "l"},
			Spec: coordinationv1.LeaseSpec{
				HolderIdentity: ptr("me"), LeaseDurationSeconds: ptr(int32(15)), RenewTime: &renew, LeaseTransitions: ptr(int32(0)),
			},
		},
		"event": &eventsv1.Event{
			ObjectMeta: metav1.ObjectMeta{Name: "e", Namespace: "default"},
			EventTime:  renew, ReportingController: "kconform.io/test", ReportingInstance: "i", Action: "Test", Reason: "Because",
			Regarding: corev1.ObjectReference{Kind: "Pod", Name: "p", Namespace: "default"}, Type: "Normal",
		},
		"controllerrevision": &appsv1.ControllerRevision{
			ObjectMeta: metav1.ObjectMeta{Name: "cr"},
			Data:       runtime.RawExtension{Raw: []byte(`{"spec":{"template":{"a":[1,2.5,"x",null,true]}}}`)},
			Revision:   3,
		},
		"subjectaccessreview": &authorizationv1.SubjectAccessReview{
			Spec: authorizationv1.SubjectAccessReviewSpec{
				User:               "bob",
				Groups:             []string{"dev"},
				Extra:              map[string]authorizationv1.ExtraValue{"scopes": {"a", "b"}, "none": {}},
				ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: "default", Verb: "get", Resource: "pods"},
			},
		},
		"deleteoptions": &metav1.DeleteOptions{
			GracePeriodSeconds: ptr(int64(0)),
			PropagationPolicy:  ptr(metav1.DeletePropagationBackground),
			DryRun:             []string{"All"},
		},
		// as the e2e suite's apiextensions clientset creates them: valid, unlike "crd", which is
		// there for the encodings
		"crd_e2e": &apiextv1.CustomResourceDefinition{
			ObjectMeta: metav1.ObjectMeta{Name: "e2e-test-foos.mygroup.example.com"},
			Spec: apiextv1.CustomResourceDefinitionSpec{
				Group: "mygroup.example.com",
				Names: apiextv1.CustomResourceDefinitionNames{Plural: "e2e-test-foos", Singular: "e2e-test-foo", Kind: "E2eTestFoo", ListKind: "E2eTestFooList"},
				Scope: apiextv1.NamespaceScoped,
				Versions: []apiextv1.CustomResourceDefinitionVersion{{
					Name: "v1", Served: true, Storage: true,
					Schema: &apiextv1.CustomResourceValidation{OpenAPIV3Schema: &apiextv1.JSONSchemaProps{
						Type: "object", XPreserveUnknownFields: ptr(true),
					}},
				}},
			},
		},
		"crd": &apiextv1.CustomResourceDefinition{
			ObjectMeta: metav1.ObjectMeta{Name: "widgets.example.com"},
			Spec: apiextv1.CustomResourceDefinitionSpec{
				Group: "example.com",
				Names: apiextv1.CustomResourceDefinitionNames{Plural: "widgets", Singular: "widget", Kind: "Widget", ListKind: "WidgetList"},
				Scope: apiextv1.NamespaceScoped,
				Versions: []apiextv1.CustomResourceDefinitionVersion{{
					Name: "v1", Served: true, Storage: true,
					Subresources: &apiextv1.CustomResourceSubresources{Status: &apiextv1.CustomResourceSubresourceStatus{}},
					AdditionalPrinterColumns: []apiextv1.CustomResourceColumnDefinition{
						{Name: "Size", Type: "integer", JSONPath: ".spec.size"},
					},
					Schema: &apiextv1.CustomResourceValidation{OpenAPIV3Schema: &apiextv1.JSONSchemaProps{
						Type: "object",
						Properties: map[string]apiextv1.JSONSchemaProps{
							"spec": {
								Type: "object",
								Properties: map[string]apiextv1.JSONSchemaProps{
									"size":  {Type: "integer", Default: js(`3`), Minimum: ptr(1.5), Maximum: ptr(100.0), ExclusiveMaximum: true},
									"mode":  {Type: "string", Enum: []apiextv1.JSON{*js(`"a"`), *js(`"b"`)}, Default: js(`"a"`)},
									"tags":  {Type: "array", Items: &apiextv1.JSONSchemaPropsOrArray{Schema: &apiextv1.JSONSchemaProps{Type: "string"}}, XListType: ptr("set")},
									"pairs": {Type: "array", Items: &apiextv1.JSONSchemaPropsOrArray{JSONSchemas: []apiextv1.JSONSchemaProps{{Type: "string"}, {Type: "integer"}}}},
									"labels": {Type: "object", AdditionalProperties: &apiextv1.JSONSchemaPropsOrBool{
										Allows: true, Schema: &apiextv1.JSONSchemaProps{Type: "string"},
									}},
									"open":   {Type: "object", AdditionalProperties: &apiextv1.JSONSchemaPropsOrBool{Allows: true}},
									"closed": {Type: "object", AdditionalProperties: &apiextv1.JSONSchemaPropsOrBool{Allows: false}},
									"blob":   {XPreserveUnknownFields: ptr(true), Default: js(`{"x":{"y":[1]}}`)},
									"either": {XIntOrString: true, AnyOf: []apiextv1.JSONSchemaProps{{Type: "integer"}, {Type: "string"}}},
								},
								Dependencies: apiextv1.JSONSchemaDependencies{
									"mode": {Property: []string{"size"}},
									"tags": {Schema: &apiextv1.JSONSchemaProps{Required: []string{"mode"}}},
								},
								Required: []string{"size"},
							},
							"status": {Type: "object", XPreserveUnknownFields: ptr(true)},
						},
						XValidations: apiextv1.ValidationRules{{Rule: "self.spec.size < 50", Message: "too big"}},
					}},
				}},
			},
		},
	}
}

// fullScheme is what the fixtures encode with and -decode decodes with: the schemes the schema
// module is generated from, in one.
func fullScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := scheme.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := apiextv1.AddToScheme(s); err != nil {
		return nil, err
	}
	metav1.AddToGroupVersion(s, metav1.SchemeGroupVersion)
	return s, nil
}

func decodeLines(in io.Reader, out io.Writer) error {
	s, err := fullScheme()
	if err != nil {
		return err
	}
	ser := protobuf.NewSerializer(s, s)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	enc := json.NewEncoder(out)
	for sc.Scan() {
		body, err := base64.StdEncoding.DecodeString(sc.Text())
		if err != nil {
			return err
		}
		result := map[string]any{}
		if obj, _, err := ser.Decode(body, nil, nil); err != nil {
			result["error"] = err.Error()
		} else if j, err := json.Marshal(obj); err != nil {
			result["error"] = "json: " + err.Error()
		} else {
			result["json"] = json.RawMessage(j)
		}
		if err := enc.Encode(result); err != nil {
			return err
		}
	}
	return sc.Err()
}

func writeFixtures(path string) error {
	s, err := fullScheme()
	if err != nil {
		return err
	}
	ser := protobuf.NewSerializer(s, s)
	objs := fixtureObjects()
	names := make([]string, 0, len(objs))
	for n := range objs {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []fixture
	for _, n := range names {
		obj := objs[n]
		gvks, _, err := s.ObjectKinds(obj)
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		gvk := gvks[0]
		for _, g := range gvks {
			if g.Group == "" && g.Version == "v1" {
				gvk = g // DeleteOptions: as the core client sends it
			}
		}
		obj.GetObjectKind().SetGroupVersionKind(gvk)
		var buf bytes.Buffer
		if err := ser.Encode(obj, &buf); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		// the JSON of what the serializer decodes back, not of the object we built: decoding
		// changes things (empty slices become nil, nanoseconds of a Time are dropped, ...)
		back, _, err := ser.Decode(buf.Bytes(), nil, nil)
		if err != nil {
			return fmt.Errorf("%s: decode: %w", n, err)
		}
		j, err := json.Marshal(back)
		if err != nil {
			return fmt.Errorf("%s: json: %w", n, err)
		}
		out = append(out, fixture{Name: n, Body: buf.Bytes(), JSON: j})
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
