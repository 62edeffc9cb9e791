// Command stagesim plays kwok Stages for Pods under a simulated clock, through kwok's own
// matching, delay and templating code (sigs.k8s.io/kwok/pkg/utils/lifecycle and gotpl), with a
// small stand-in for the API server: strategic merge patches applied to the stored pod, a
// status patch keeping the metadata and a main-resource patch keeping the status (as the pod
// registry strategies do), graceful deletion, and kwok's pod controller loop (re-match on every
// change, one pending delayed job per pod, patches skipped when they change nothing).
//
// It reads JSON commands, one per line, on stdin and answers each with one JSON line:
//
//	{"op":"init","stages":"pods.yaml","start":"2030-01-01T00:00:00Z"}
//	{"op":"apply","pod":{...}}        create (defaults, bound to node-1, PodScheduled)
//	{"op":"advance","seconds":1.5}    run kwok's jobs due in that time
//	{"op":"get","namespace":"default","name":"p"}
//	{"op":"list"}
//	{"op":"delete","namespace":"default","name":"p"}
//	{"op":"patch-status","namespace":"default","name":"p","body":{...}}   another client's
//	                                  strategic merge patch of pods/status
//	{"op":"now"}
//
// Leaves out: the rest of the API server (validation, admission, watch), other controllers,
// kwok's node stages, events and retries.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"sigs.k8s.io/yaml"

	"sigs.k8s.io/kwok/pkg/apis/internalversion"
	"sigs.k8s.io/kwok/pkg/apis/v1alpha1"
	"sigs.k8s.io/kwok/pkg/config"
	"sigs.k8s.io/kwok/pkg/utils/gotpl"
	"sigs.k8s.io/kwok/pkg/utils/lifecycle"
)

type job struct {
	key   string
	due   time.Time
	seq   int
	pod   *corev1.Pod
	stage *lifecycle.Stage
}

type sim struct {
	now      time.Time
	rv       int
	seq      int
	ips      int
	pods     map[string]*corev1.Pod
	jobs     map[string]*job
	lc       lifecycle.Lifecycle
	renderer gotpl.Renderer
	log      []string
}

func key(ns, name string) string { return ns + "/" + name }

func (s *sim) funcs() gotpl.FuncMap {
	return gotpl.FuncMap{
		"now":         func() time.Time { return s.now },
		"Now":         func() string { return s.now.Format(time.RFC3339Nano) },
		"NodeIPWith":  func(string) string { return "10.0.0.2" },
		"NodeIPsWith": func(string) []string { return []string{"10.0.0.2"} },
		"PodIPWith": func(string, bool, string, string, string) string {
			s.ips++
			return fmt.Sprintf("10.244.1.%d", s.ips)
		},
		"PodIPsWith": func(string, bool, string, string, string) []string {
			s.ips++
			return []string{fmt.Sprintf("10.244.1.%d", s.ips)}
		},
	}
}

// loadStages loads the stage file as kwok does, and also strictly (unknown fields are errors).
func loadStages(path string) ([]*internalversion.Stage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for i, doc := range strings.Split(string(data), "\n---") {
		raw, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if string(raw) == "null" {
			continue
		}
		var st v1alpha1.Stage
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&st); err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
	}
	objs, err := config.Load(context.Background(), path)
	if err != nil {
		return nil, err
	}
	var out []*internalversion.Stage
	for _, o := range objs {
		if st, ok := o.(*internalversion.Stage); ok && st.Spec.ResourceRef.Kind == "Pod" {
			out = append(out, st)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no pod stages in %s", path)
	}
	return out, nil
}

func (s *sim) store(p *corev1.Pod) {
	s.rv++
	p.ResourceVersion = fmt.Sprint(s.rv)
	s.pods[key(p.Namespace, p.Name)] = p
	s.changed(p)
}

// changed is kwok's preprocess: match a stage on the new version, replace the pending job.
func (s *sim) changed(p *corev1.Pod) {
	k := key(p.Namespace, p.Name)
	if j, ok := s.jobs[k]; ok && j.pod.ResourceVersion == p.ResourceVersion {
		return
	}
	delete(s.jobs, k)
	ev := &lifecycle.Event{Labels: p.Labels, Annotations: p.Annotations, Data: p.DeepCopy()}
	stage, err := s.lc.Match(context.Background(), ev)
	if err != nil {
		s.logf("match %s: %v", k, err)
		return
	}
	if stage == nil {
		return
	}
	// kwok picks one at random when several match: the stages must never overlap
	if all, err := s.lc.ListAllPossible(context.Background(), ev); err == nil && len(all) > 1 {
		names := make([]string, 0, len(all))
		for _, st := range all {
			names = append(names, st.Name())
		}
		s.logf("ambiguous: %s matches stages %s", k, strings.Join(names, ", "))
	}
	delay, _, err := stage.Delay(context.Background(), ev, s.now)
	if err != nil {
		s.logf("delay %s %s: %v", k, stage.Name(), err)
	}
	if delay < 0 {
		delay = 0
	}
	s.seq++
	s.jobs[k] = &job{key: k, due: s.now.Add(delay), seq: s.seq, pod: p.DeepCopy(), stage: stage}
}

func (s *sim) logf(format string, args ...any) { s.log = append(s.log, fmt.Sprintf(format, args...)) }

func podJSON(p *corev1.Pod) []byte {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	return b
}

// patch is the API server: a strategic merge patch on the stored pod, then the strategy's reset.
func (s *sim) patch(k string, snapshot *corev1.Pod, patch *lifecycle.Patch) error {
	if patch.Type != types.StrategicMergePatchType && patch.Type != types.MergePatchType {
		return fmt.Errorf("unexpected patch type %s", patch.Type)
	}
	// kwok's checkNeedPatch: nothing to do when the patch changes nothing on its snapshot
	merged, err := strategicpatch.StrategicMergePatch(podJSON(snapshot), patch.Data, &corev1.Pod{})
	if err != nil {
		return fmt.Errorf("patch %s: %w: %s", k, err, patch.Data)
	}
	var tmp corev1.Pod
	if err := json.Unmarshal(merged, &tmp); err != nil {
		return err
	}
	if bytes.Equal(podJSON(&tmp), podJSON(snapshot)) {
		return nil
	}
	cur, ok := s.pods[k]
	if !ok {
		return fmt.Errorf("pods %q not found", k)
	}
	out, err := strategicpatch.StrategicMergePatch(podJSON(cur), patch.Data, &corev1.Pod{})
	if err != nil {
		return err
	}
	var next corev1.Pod
	if err := json.Unmarshal(out, &next); err != nil {
		return err
	}
	if patch.Subresource == "status" {
		next.ObjectMeta = *cur.ObjectMeta.DeepCopy()
		next.Spec = *cur.Spec.DeepCopy()
		if isTerminal(cur.Status.Phase) && !isTerminal(next.Status.Phase) {
			return fmt.Errorf("pod %s: phase may not go from %s to %s", k, cur.Status.Phase, next.Status.Phase)
		}
	} else {
		next.Status = *cur.Status.DeepCopy()
		next.Spec = *cur.Spec.DeepCopy()
		next.DeletionTimestamp = cur.DeletionTimestamp
		next.DeletionGracePeriodSeconds = cur.DeletionGracePeriodSeconds
	}
	next.ResourceVersion = cur.ResourceVersion
	if bytes.Equal(podJSON(&next), podJSON(cur)) {
		return nil
	}
	s.store(&next)
	return nil
}

func isTerminal(p corev1.PodPhase) bool { return p == corev1.PodSucceeded || p == corev1.PodFailed }

func (s *sim) remove(k string) {
	delete(s.pods, k)
	delete(s.jobs, k)
}

func (s *sim) play(j *job) {
	_, err := j.stage.DoSteps(0, j.pod.Finalizers, j.pod, s.renderer,
		func(*internalversion.StageEvent) error { return nil },
		func() error {
			cur, ok := s.pods[j.key]
			if !ok {
				return nil
			}
			if len(cur.Finalizers) != 0 {
				return nil
			}
			s.remove(j.key)
			return nil
		},
		func(p *lifecycle.Patch) error { return s.patch(j.key, j.pod, p) },
		func(*lifecycle.Apply) error { return fmt.Errorf("apply steps are not simulated") },
	)
	if err != nil {
		s.logf("%s %s at %s: %v", j.key, j.stage.Name(), s.now.Format(time.RFC3339Nano), err)
	}
}

func (s *sim) advance(d time.Duration) {
	end := s.now.Add(d)
	for steps := 0; steps < 100000; steps++ {
		var due []*job
		for _, j := range s.jobs {
			if !j.due.After(end) {
				due = append(due, j)
			}
		}
		if len(due) == 0 {
			break
		}
		sort.Slice(due, func(a, b int) bool {
			if !due[a].due.Equal(due[b].due) {
				return due[a].due.Before(due[b].due)
			}
			return due[a].seq < due[b].seq
		})
		j := due[0]
		delete(s.jobs, j.key)
		if j.due.After(s.now) {
			s.now = j.due
		}
		s.play(j)
	}
	s.now = end
}

func (s *sim) apply(raw json.RawMessage) (*corev1.Pod, error) {
	var p corev1.Pod
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	if p.Namespace == "" {
		p.Namespace = "default"
	}
	if _, ok := s.pods[key(p.Namespace, p.Name)]; ok {
		return nil, fmt.Errorf("pods %q already exists", p.Name)
	}
	s.seq++
	p.UID = types.UID(fmt.Sprintf("%08x-0000-4000-8000-%012x", s.seq, s.seq))
	p.CreationTimestamp = metav1.NewTime(s.now)
	if p.Spec.RestartPolicy == "" {
		p.Spec.RestartPolicy = corev1.RestartPolicyAlways
	}
	if p.Spec.TerminationGracePeriodSeconds == nil {
		grace := int64(30)
		p.Spec.TerminationGracePeriodSeconds = &grace
	}
	p.Spec.NodeName = "node-1"
	p.Status = corev1.PodStatus{
		Phase:    corev1.PodPending,
		QOSClass: corev1.PodQOSBestEffort,
		Conditions: []corev1.PodCondition{{
			Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(s.now),
		}},
	}
	s.store(&p)
	return &p, nil
}

func (s *sim) deletePod(k string) (bool, error) {
	cur, ok := s.pods[k]
	if !ok {
		return false, nil
	}
	if cur.DeletionTimestamp != nil {
		return true, nil
	}
	next := cur.DeepCopy()
	grace := int64(30)
	if cur.Spec.TerminationGracePeriodSeconds != nil {
		grace = *cur.Spec.TerminationGracePeriodSeconds
	}
	if grace == 0 && len(cur.Finalizers) == 0 {
		s.remove(k)
		return true, nil
	}
	ts := metav1.NewTime(s.now.Add(time.Duration(grace) * time.Second))
	next.DeletionTimestamp = &ts
	next.DeletionGracePeriodSeconds = &grace
	s.store(next)
	return true, nil
}

type command struct {
	Op        string          `json:"op"`
	Stages    string          `json:"stages"`
	Start     string          `json:"start"`
	Pod       json.RawMessage `json:"pod"`
	Seconds   float64         `json:"seconds"`
	Namespace string          `json:"namespace"`
	Name      string          `json:"name"`
	Body      json.RawMessage `json:"body"`
}

func main() {
	s := &sim{pods: map[string]*corev1.Pod{}, jobs: map[string]*job{}}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var cmd command
		reply := map[string]any{}
		if err := json.Unmarshal(in.Bytes(), &cmd); err != nil {
			reply["error"] = err.Error()
			_ = out.Encode(reply)
			continue
		}
		if cmd.Namespace == "" {
			cmd.Namespace = "default"
		}
		var err error
		switch cmd.Op {
		case "init":
			var stages []*internalversion.Stage
			if stages, err = loadStages(cmd.Stages); err == nil {
				s.lc, err = lifecycle.NewLifecycle(stages)
			}
			if err == nil {
				s.now, err = time.Parse(time.RFC3339Nano, cmd.Start)
			}
			s.renderer = gotpl.NewRenderer(s.funcs())
		case "apply":
			var p *corev1.Pod
			if p, err = s.apply(cmd.Pod); err == nil {
				reply["object"] = p
			}
		case "advance":
			s.advance(time.Duration(cmd.Seconds * float64(time.Second)))
		case "get":
			if p, ok := s.pods[key(cmd.Namespace, cmd.Name)]; ok {
				reply["object"] = p
			} else {
				reply["object"] = nil
			}
		case "list":
			items := []*corev1.Pod{}
			for _, p := range s.pods {
				items = append(items, p)
			}
			sort.Slice(items, func(a, b int) bool { return items[a].Name < items[b].Name })
			reply["items"] = items
		case "delete":
			var found bool
			if found, err = s.deletePod(key(cmd.Namespace, cmd.Name)); err == nil {
				reply["found"] = found
			}
		case "patch-status":
			cur, ok := s.pods[key(cmd.Namespace, cmd.Name)]
			if !ok {
				err = fmt.Errorf("pods %q not found", cmd.Name)
				break
			}
			err = s.patch(key(cmd.Namespace, cmd.Name), cur.DeepCopy(), &lifecycle.Patch{
				Data: cmd.Body, Type: types.StrategicMergePatchType, Subresource: "status",
			})
		case "now":
		default:
			err = fmt.Errorf("unknown op %q", cmd.Op)
		}
		if err != nil {
			reply["error"] = err.Error()
		}
		reply["now"] = s.now.Format(time.RFC3339Nano)
		if len(s.log) != 0 {
			reply["log"] = s.log
			s.log = nil
		}
		if err := out.Encode(reply); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
